#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "filter/matcher.hpp"

// The compiled form of a FilterCriteria.
//
// Every object level of the patterns is a Node. A Node holds numbered conditions, each tied to
// one key: a leaf rule (the key's scalar values against a list of match values) or a child rule
// (the key's object value against some alternatives of the child Node). An alternative is a set
// of conditions that must all hold: one per pattern, or several where `$or` forks a pattern.
// All patterns share one tree, so the matcher walks each record once, whatever the pattern count.
namespace nanofaas::detail::filter {

/// A bit set in 64-bit words; its width is fixed per Node.
using Mask = std::vector<std::uint64_t>;

inline std::size_t words_for(std::size_t bits) noexcept {
  return (bits + 63) / 64;
}
inline void set_bit(std::uint64_t* words, std::size_t bit) noexcept {
  words[bit / 64] |= std::uint64_t{1} << (bit % 64);
}
inline bool test_bit(const std::uint64_t* words, std::size_t bit) noexcept {
  return (words[bit / 64] >> (bit % 64)) & 1U;
}
inline bool intersects(const std::uint64_t* a, const std::uint64_t* b, std::size_t n) noexcept {
  for (std::size_t i = 0; i < n; ++i) {
    if ((a[i] & b[i]) != 0) return true;
  }
  return false;
}

/// The key's scalar values (an array's elements, at any depth) against ORed match values.
struct LeafRule {
  std::size_t condition = 0;
  std::vector<Matcher> matchers;
};

/// The key's object value (or, for an array, any one element) against child alternatives.
struct ChildRule {
  std::size_t condition = 0;
  Mask alternatives;  ///< over the child Node's alternatives
};

struct Node;

/// Everything a Node asks about one key.
struct KeyRules {
  std::string name;
  std::vector<LeafRule> leaves;
  std::vector<ChildRule> children;  ///< empty when `child` is null
  std::unique_ptr<Node> child;
};

/// One object level of the patterns.
struct Node {
  std::vector<KeyRules> keys;  ///< in name order
  std::size_t condition_words = 0;
  std::size_t alternative_words = 0;
  std::vector<Mask> alternatives;  ///< each: the conditions that must all hold
  /// Conditions that hold when the record brings no value for them: leaf rules with
  /// `{"exists": false}` when the key has no scalar value, and child rules whose child accepts
  /// an empty object when the key is absent.
  Mask absent_ok;
  Mask empty_alternatives;        ///< alternatives that an empty object satisfies
  std::size_t scratch_words = 0;  ///< words of scratch that evaluating this Node uses

  /// Hash slots over `keys`: 1 + index of a key, 0 when empty. A power of two in size.
  std::vector<std::uint32_t> slots;

  /// The rules for `name`, or null when no pattern names it here.
  const KeyRules* find(std::string_view name) const noexcept {
    // Open addressing with a cheap hash (length and end bytes): record keys are short and most
    // are not pattern keys, so a miss should cost a probe or two and no string compare.
    const std::size_t mask = slots.size() - 1;
    for (std::size_t i = slot_hash(name) & mask;; i = (i + 1) & mask) {
      const std::uint32_t slot = slots[i];
      if (slot == 0) return nullptr;
      const KeyRules& key = keys[slot - 1];
      if (key.name == name) return &key;
    }
  }

  /// Fills `slots` from `keys`.
  void index_keys() {
    std::size_t size = 2;
    while (size < 2 * keys.size()) size *= 2;
    slots.assign(size, 0);
    for (std::size_t k = 0; k < keys.size(); ++k) {
      std::size_t i = slot_hash(keys[k].name) & (size - 1);
      while (slots[i] != 0) i = (i + 1) & (size - 1);
      slots[i] = static_cast<std::uint32_t>(k + 1);
    }
  }

  static std::size_t slot_hash(std::string_view name) noexcept {
    std::uint64_t h = name.size();
    if (!name.empty()) {
      h ^= static_cast<std::uint64_t>(static_cast<unsigned char>(name.front())) << 8;
      h ^= static_cast<std::uint64_t>(static_cast<unsigned char>(name.back())) << 16;
      h ^= static_cast<std::uint64_t>(static_cast<unsigned char>(name[name.size() / 2])) << 24;
    }
    return static_cast<std::size_t>((h * 0x9E3779B97F4A7C15ULL) >> 40);
  }
};

/// A compiled FilterCriteria: the root Node's alternatives are all the patterns' alternatives.
struct Program {
  Node root;
  std::size_t pattern_count = 0;
};

}  // namespace nanofaas::detail::filter
