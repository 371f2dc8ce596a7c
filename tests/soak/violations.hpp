#pragma once

#include <cstdint>
#include <cstdio>
#include <map>
#include <string>
#include <vector>

namespace soak {

/// The failed checks of a run: a count per check and its first few examples.
class Violations {
 public:
  void add(const std::string& check, std::string example = {}) {
    Entry& e = entries_[check];
    ++e.count;
    if (!example.empty() && e.examples.size() < 5) e.examples.push_back(std::move(example));
  }
  /// Adds a violation unless `expected == actual`.
  void expect_equal(const std::string& check, std::uint64_t expected, std::uint64_t actual) {
    if (expected != actual) {
      add(check, std::to_string(expected) + " expected, " + std::to_string(actual) + " found");
    }
  }
  [[nodiscard]] bool empty() const noexcept { return entries_.empty(); }
  void print() const {
    for (const auto& [check, e] : entries_) {
      std::printf("VIOLATION %s: %llu time(s)\n", check.c_str(),
                  static_cast<unsigned long long>(e.count));
      for (const auto& example : e.examples) std::printf("    e.g. %s\n", example.c_str());
    }
  }

 private:
  struct Entry {
    std::uint64_t count = 0;
    std::vector<std::string> examples;
  };
  std::map<std::string, Entry> entries_;
};

}  // namespace soak
