#include "nanofaas/expected.hpp"

#include <gtest/gtest.h>

#include <string>

namespace {

using nanofaas::Errc;
using nanofaas::Error;
using nanofaas::Expected;
using nanofaas::Unexpected;

Expected<int> parse_positive(int v) {
  if (v <= 0) return Unexpected(Error{Errc::invalid_argument, "not positive"});
  return v;
}

TEST(ExpectedTest, HoldsValueOrError) {
  auto ok = parse_positive(3);
  ASSERT_TRUE(ok);
  EXPECT_EQ(*ok, 3);
  auto bad = parse_positive(-1);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, Errc::invalid_argument);
  EXPECT_EQ(bad.value_or(7), 7);
}

TEST(ExpectedTest, AndThenTransformAndOrElseChain) {
  auto doubled = parse_positive(4).and_then([](int v) { return parse_positive(v * 2); });
  EXPECT_EQ(doubled.value(), 8);
  auto text = parse_positive(5).transform([](int v) { return std::to_string(v); });
  EXPECT_EQ(text.value(), "5");
  auto skipped = parse_positive(0).transform([](int v) { return v + 1; });
  EXPECT_EQ(skipped.error().message, "not positive");
  auto recovered = parse_positive(0).or_else([](const Error&) { return Expected<int>(1); });
  EXPECT_EQ(recovered.value(), 1);
  auto mapped = parse_positive(0).transform_error([](const Error& e) { return e.message.size(); });
  EXPECT_EQ(mapped.error(), 12u);
}

TEST(ExpectedTest, VoidStatus) {
  nanofaas::Status ok;
  EXPECT_TRUE(ok);
  nanofaas::Status bad = Unexpected(Error{Errc::not_found, "missing"});
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, Errc::not_found);
  auto chained = ok.and_then([] { return parse_positive(2); });
  EXPECT_EQ(chained.value(), 2);
}

TEST(ErrorTest, LambdaNamesAndStatuses) {
  EXPECT_EQ(nanofaas::lambda_name(Errc::not_found), "ResourceNotFoundException");
  EXPECT_EQ(nanofaas::http_status(Errc::request_too_large), 413);
  EXPECT_EQ(nanofaas::lambda_name(nanofaas::ThrottleReason::concurrent_invocation_limit_exceeded),
            "ConcurrentInvocationLimitExceeded");
}

}  // namespace
