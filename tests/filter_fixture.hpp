#pragma once

// What the event filter's tests share: compiling patterns, matching one record, and checking
// the message a rejected pattern gets.

#include <gtest/gtest.h>

#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

#include "nanofaas/filter.hpp"

namespace nanofaas::test {

/// `patterns` compiled, or the test fails (and gets a filter that passes everything).
inline FilterCriteria compile(std::initializer_list<std::string_view> patterns) {
  auto filter = FilterCriteria::compile(patterns);
  EXPECT_TRUE(filter) << filter.error().message;
  return filter ? std::move(filter).value() : FilterCriteria{};
}

/// Whether `record` matches the single pattern `pattern`.
inline bool matches(std::string_view pattern, std::string_view record) {
  return compile({pattern}).matches(record);
}

/// The compile error for `patterns` ("" when they compile).
inline std::string compile_error(std::initializer_list<std::string_view> patterns) {
  auto filter = FilterCriteria::compile(patterns);
  if (filter) return "";
  EXPECT_EQ(filter.error().code, Errc::invalid_argument);
  return filter.error().message;
}

/// Expects `pattern` to be rejected with a message that contains every one of `parts`.
inline void expect_rejected(std::string_view pattern,
                            std::initializer_list<std::string_view> parts) {
  const std::string message = compile_error({pattern});
  ASSERT_FALSE(message.empty()) << pattern << " compiled";
  for (const std::string_view part : parts) {
    EXPECT_NE(message.find(part), std::string::npos)
        << "message \"" << message << "\" lacks \"" << part << "\"";
  }
}

}  // namespace nanofaas::test
