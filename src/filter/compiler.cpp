#include "filter/compiler.hpp"

#include <algorithm>
#include <functional>
#include <iterator>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "filter/json_tree.hpp"
#include "filter/match_list.hpp"
#include "filter/text.hpp"
#include "nanofaas/filter.hpp"

namespace nanofaas::detail::filter {
namespace {

// Most alternatives one pattern object may stand for through `$or`: a bound on compiled size.
constexpr std::size_t kMaxAlternatives = 1024;

// The conditions one alternative requires, by number.
using Conjunction = std::vector<std::size_t>;

struct NodeBuilder;

struct KeyBuilder {
  std::vector<LeafRule> leaves;
  std::vector<std::pair<std::size_t, std::vector<std::size_t>>> children;  // condition, child alts
  std::unique_ptr<NodeBuilder> child;
};

struct NodeBuilder {
  std::map<std::string, KeyBuilder, std::less<>> keys;
  std::size_t conditions = 0;
  std::vector<Conjunction> alternatives;
};

// Compiles the objects of one pattern into a NodeBuilder tree shared by all patterns.
class PatternCompiler {
 public:
  explicit PatternCompiler(std::size_t index) : index_(index) {}

  // The alternatives (over `node`'s conditions) that `object` stands for.
  Expected<std::vector<Conjunction>> object(const JsonValue& object, NodeBuilder& node) {
    if (object.members.empty()) return fail("empty objects are not allowed");
    std::vector<Conjunction> alternatives(1);
    for (const auto& [name, value] : object.members) {
      if (name == "$or") {
        auto branches = or_branches(value, node);
        if (!branches) return branches;
        alternatives = combine(alternatives, *branches);
        if (alternatives.size() > kMaxAlternatives) {
          return fail(concat({"\"$or\" expands this pattern into more than ",
                              std::to_string(kMaxAlternatives), " alternatives"}));
        }
        continue;
      }
      path_.push_back(name);
      auto condition = key(name, value, node);
      path_.pop_back();
      if (!condition) return Unexpected(std::move(condition).error());
      for (Conjunction& alternative : alternatives) alternative.push_back(*condition);
    }
    return alternatives;
  }

  // The failure `problem` at the current path, e.g.
  // `Filters[0].Pattern, "detail.state"[1]: unknown operator "prefx" (...)`.
  Unexpected<Error> fail(std::string_view problem,
                         std::size_t element = MatchListProblem::whole_list) const {
    std::string message = concat({"Filters[", std::to_string(index_), "].Pattern"});
    for (std::size_t i = 0; i < path_.size(); ++i) {
      message += i == 0 ? ", \"" : ".";
      message += path_[i];
      if (i + 1 == path_.size()) message += '"';
    }
    if (element != MatchListProblem::whole_list) {
      message += concat({"[", std::to_string(element), "]"});
    }
    message += concat({": ", problem});
    return Unexpected(Error{Errc::invalid_argument, std::move(message)});
  }

 private:
  // Adds the condition that `name: value` sets on `node` and returns its number.
  Expected<std::size_t> key(const std::string& name, const JsonValue& value, NodeBuilder& node) {
    KeyBuilder& key = node.keys[name];
    if (value.type == JsonValue::Type::array) {
      auto matchers = compile_match_list(value);
      if (!matchers) return fail(matchers.error().message, matchers.error().element);
      key.leaves.push_back(LeafRule{node.conditions, std::move(*matchers)});
      return node.conditions++;
    }
    if (value.type != JsonValue::Type::object) {
      return fail(
          concat({"must be an array of match values or an object, not ", type_name(value.type)}));
    }
    if (!key.child) key.child = std::make_unique<NodeBuilder>();
    auto child_alternatives = object(value, *key.child);
    if (!child_alternatives) return Unexpected(std::move(child_alternatives).error());
    std::vector<std::size_t> numbers;
    for (Conjunction& alternative : *child_alternatives) {
      numbers.push_back(key.child->alternatives.size());
      key.child->alternatives.push_back(std::move(alternative));
    }
    key.children.emplace_back(node.conditions, std::move(numbers));
    return node.conditions++;
  }

  // `"$or": [{...}, {...}]`: the alternatives of each branch, which share `node`.
  Expected<std::vector<Conjunction>> or_branches(const JsonValue& value, NodeBuilder& node) {
    path_.emplace_back("$or");
    if (value.type != JsonValue::Type::array || value.elements.size() < 2) {
      return fail("needs an array of at least 2 objects");
    }
    std::vector<Conjunction> branches;
    for (std::size_t i = 0; i < value.elements.size(); ++i) {
      path_.back() = concat({"$or[", std::to_string(i), "]"});
      if (value.elements[i].type != JsonValue::Type::object) {
        return fail(concat({"must be an object, not ", type_name(value.elements[i].type)}));
      }
      auto alternatives = object(value.elements[i], node);
      if (!alternatives) return alternatives;
      std::move(alternatives->begin(), alternatives->end(), std::back_inserter(branches));
    }
    path_.pop_back();
    return branches;
  }

  static std::vector<Conjunction> combine(const std::vector<Conjunction>& left,
                                          const std::vector<Conjunction>& right) {
    std::vector<Conjunction> product;
    product.reserve(left.size() * right.size());
    for (const Conjunction& l : left) {
      for (const Conjunction& r : right) {
        Conjunction& both = product.emplace_back(l);
        both.insert(both.end(), r.begin(), r.end());
      }
    }
    return product;
  }

  std::size_t index_;
  std::vector<std::string> path_;
};

Mask mask_of(const std::vector<std::size_t>& bits, std::size_t words) {
  Mask mask(words, 0);
  for (const std::size_t bit : bits) set_bit(mask.data(), bit);
  return mask;
}

// Turns a builder into the matcher's Node, children first (a child rule needs to know whether
// its child accepts an empty object).
Node finalize(NodeBuilder& builder) {
  Node node;
  node.condition_words = words_for(builder.conditions);
  node.alternative_words = words_for(builder.alternatives.size());
  node.absent_ok.assign(node.condition_words, 0);
  std::size_t child_scratch = 0;
  for (auto& [name, key] : builder.keys) {
    KeyRules& rules = node.keys.emplace_back(KeyRules{name, std::move(key.leaves), {}, nullptr});
    for (const LeafRule& leaf : rules.leaves) {
      if (std::any_of(leaf.matchers.begin(), leaf.matchers.end(),
                      [](const Matcher& m) { return m.kind == Matcher::Kind::absent; })) {
        set_bit(node.absent_ok.data(), leaf.condition);
      }
    }
    if (!key.child) continue;
    rules.child = std::make_unique<Node>(finalize(*key.child));
    const Node& child = *rules.child;
    for (auto& [condition, alternatives] : key.children) {
      ChildRule& rule = rules.children.emplace_back(
          ChildRule{condition, mask_of(alternatives, child.alternative_words)});
      if (intersects(rule.alternatives.data(), child.empty_alternatives.data(),
                     child.alternative_words)) {
        set_bit(node.absent_ok.data(), condition);
      }
    }
    child_scratch = std::max(child_scratch, child.alternative_words + child.scratch_words);
  }
  node.empty_alternatives.assign(node.alternative_words, 0);
  for (std::size_t i = 0; i < builder.alternatives.size(); ++i) {
    const Conjunction& conditions = builder.alternatives[i];
    node.alternatives.push_back(mask_of(conditions, node.condition_words));
    if (std::all_of(conditions.begin(), conditions.end(),
                    [&](std::size_t c) { return test_bit(node.absent_ok.data(), c); })) {
      set_bit(node.empty_alternatives.data(), i);
    }
  }
  node.scratch_words = 2 * node.condition_words + child_scratch;
  node.index_keys();
  return node;
}

}  // namespace

Expected<std::shared_ptr<const Program>> compile_program(
    std::span<const std::string_view> patterns) {
  if (patterns.empty()) {
    return Unexpected(Error{Errc::invalid_argument, "FilterCriteria needs at least one pattern"});
  }
  if (patterns.size() > FilterCriteria::max_patterns) {
    return Unexpected(
        Error{Errc::invalid_argument,
              concat({"FilterCriteria takes at most ", std::to_string(FilterCriteria::max_patterns),
                      " patterns, got ", std::to_string(patterns.size())})});
  }
  NodeBuilder root;
  for (std::size_t i = 0; i < patterns.size(); ++i) {
    PatternCompiler compiler(i);
    auto tree = parse_json_object(patterns[i]);
    if (!tree) return compiler.fail(tree.error().message);
    auto alternatives = compiler.object(*tree, root);
    if (!alternatives) return Unexpected(std::move(alternatives).error());
    std::move(alternatives->begin(), alternatives->end(), std::back_inserter(root.alternatives));
  }
  auto program = std::make_shared<Program>();
  program->root = finalize(root);
  program->pattern_count = patterns.size();
  return std::shared_ptr<const Program>(std::move(program));
}

}  // namespace nanofaas::detail::filter
