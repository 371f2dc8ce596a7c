// The shared filter conformance cases (filter_cases.json), where the build or the environment
// says they are.

#include "nanofaas/filter.hpp"

#include <gtest/gtest.h>

#include <simdjson.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace {

using nanofaas::FilterCriteria;

struct ConformanceCase {
  std::string name;
  std::string pattern;
  std::string event;
  bool match = false;
};

// Reads filter_cases.json, keeping each pattern and event as written (number tokens intact).
simdjson::error_code load_cases(const std::string& path, std::vector<ConformanceCase>& cases) {
  simdjson::padded_string json;
  SIMDJSON_TRY(simdjson::padded_string::load(path).get(json));
  simdjson::ondemand::parser parser;
  simdjson::ondemand::document doc;
  SIMDJSON_TRY(parser.iterate(json).get(doc));
  simdjson::ondemand::array array;
  SIMDJSON_TRY(doc.get_array().get(array));
  for (auto element : array) {
    simdjson::ondemand::object object;
    SIMDJSON_TRY(element.get_object().get(object));
    ConformanceCase& c = cases.emplace_back();
    for (auto field_result : object) {
      simdjson::ondemand::field field;
      SIMDJSON_TRY(std::move(field_result).get(field));
      std::string_view key;
      SIMDJSON_TRY(field.unescaped_key().get(key));
      std::string_view text;
      if (key == "name") {
        SIMDJSON_TRY(field.value().get_string().get(text));
        c.name = text;
      } else if (key == "pattern" || key == "event") {
        simdjson::ondemand::object value;
        SIMDJSON_TRY(field.value().get_object().get(value));
        SIMDJSON_TRY(value.raw_json().get(text));
        (key == "pattern" ? c.pattern : c.event) = text;
      } else if (key == "match") {
        SIMDJSON_TRY(field.value().get_bool().get(c.match));
      }
    }
  }
  return simdjson::SUCCESS;
}

TEST(FilterConformanceTest, AllSharedCasesPass) {
  const char* from_env = std::getenv("NANOFAAS_CONFORMANCE_DIR");
  const std::filesystem::path path =
      std::filesystem::path(from_env != nullptr ? from_env : NANOFAAS_CONFORMANCE_DIR) /
      "filter_cases.json";
  if (!std::filesystem::exists(path)) {
    GTEST_SKIP() << path << " not found (set NANOFAAS_CONFORMANCE_DIR to its directory)";
  }
  std::vector<ConformanceCase> cases;
  const auto error = load_cases(path.string(), cases);
  ASSERT_EQ(error, simdjson::SUCCESS) << simdjson::error_message(error);
  std::vector<std::string> failures;
  for (const ConformanceCase& c : cases) {
    const auto filter = FilterCriteria::compile({c.pattern});
    if (!filter) {
      failures.push_back(c.name + " (pattern rejected: " + filter.error().message + ")");
      continue;
    }
    const auto outcome = filter->try_match(c.event);
    if (!outcome) {
      failures.push_back(c.name + " (event rejected: " + outcome.error().message + ")");
    } else if (*outcome != c.match) {
      failures.push_back(c.name + " (expected " + (c.match ? "match" : "no match") + ")");
    }
  }
  std::printf("filter conformance: %zu passed, %zu failed\n", cases.size() - failures.size(),
              failures.size());
  for (const std::string& failure : failures) std::printf("  FAILED %s\n", failure.c_str());
  EXPECT_TRUE(failures.empty());
  EXPECT_EQ(cases.size(), 197U);
}

}  // namespace
