#include <gtest/gtest.h>

#include <cstdint>
#include <string>

#include "source/id_counter.hpp"

namespace nanofaas::detail {
namespace {

template <std::size_t Capacity>
std::string current(const IdCounter<Capacity>& ids) {
  char out[Capacity];
  const std::uint8_t size = ids.copy_to(out);
  return std::string(out, size);
}

TEST(IdCounterTest, CountsUpInDecimalAfterThePrefix) {
  IdCounter<32> ids("7-");
  EXPECT_EQ(current(ids), "7-1");
  for (int n = 1; n < 9; ++n) ids.advance();
  EXPECT_EQ(current(ids), "7-9");
  ids.advance();
  EXPECT_EQ(current(ids), "7-10");
  for (int n = 10; n < 99; ++n) ids.advance();
  EXPECT_EQ(current(ids), "7-99");
  ids.advance();
  EXPECT_EQ(current(ids), "7-100");
}

TEST(IdCounterTest, MatchesToStringWithoutAPrefix) {
  IdCounter<23> ids;
  for (std::uint64_t n = 1; n <= 123'456; ++n) {
    ASSERT_EQ(current(ids), std::to_string(n));
    ids.advance();
  }
}

}  // namespace
}  // namespace nanofaas::detail
