#pragma once

#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "test_support.hpp"

namespace nanofaas::test {

/// A reader of `source`, or the test fails.
inline std::unique_ptr<SourceReader> open(Source& source, ReaderOptions options = {}) {
  auto r = source.open(options);
  if (!r) throw std::runtime_error(r.error().message);
  return std::move(r).value();
}

/// Polls up to `max` records of `lane`, checking the count the reader returns.
inline std::vector<Record> poll(SourceReader& reader, std::size_t max, std::uint32_t lane = 0) {
  std::vector<Record> out;
  const std::size_t n = reader.poll(lane, max, out);
  EXPECT_EQ(n, out.size());
  return out;
}

using Strings = std::vector<std::string>;

/// The records' bodies, in order.
inline Strings bodies(const std::vector<Record>& records) {
  Strings out;
  for (const Record& r : records) out.emplace_back(r.body.view());
  return out;
}

}  // namespace nanofaas::test
