#include "filter/evaluator.hpp"

#include <algorithm>
#include <utility>

namespace nanofaas::detail::filter {
namespace {

// Where the values of one key occurrence report to: bits over the enclosing Node's conditions,
// and over the child Node's alternatives. Arrays feed every element into the same Frame, which
// is how "any element matches" falls out.
struct Frame {
  const KeyRules& key;
  std::uint64_t* satisfied;           // conditions that hold
  std::uint64_t* touched;             // conditions whose key brought a value they judge
  std::uint64_t* child_alternatives;  // child alternatives some element satisfies
  std::uint64_t* scratch;             // free scratch for the child Node
  bool* progressed;                   // set when a condition newly holds
};

void merge(std::uint64_t* into, const Mask& from) noexcept {
  for (std::size_t i = 0; i < from.size(); ++i) into[i] |= from[i];
}

simdjson::error_code evaluate_object(const Node& node, ondemand::object& object,
                                     std::uint64_t* alternatives_out, std::uint64_t* scratch,
                                     int depth, bool* decided = nullptr);

simdjson::error_code evaluate_scalar(const Frame& frame, ondemand::value& value,
                                     ondemand::json_type type) {
  const KeyRules& key = frame.key;
  if (key.child) merge(frame.child_alternatives, key.child->empty_alternatives);
  if (key.leaves.empty()) return simdjson::SUCCESS;
  Scalar scalar;
  SIMDJSON_TRY(read_scalar(value, type, scalar));
  for (const LeafRule& leaf : key.leaves) {
    set_bit(frame.touched, leaf.condition);
    if (std::any_of(leaf.matchers.begin(), leaf.matchers.end(),
                    [&](const Matcher& m) { return m.matches(scalar); })) {
      set_bit(frame.satisfied, leaf.condition);
      *frame.progressed = true;
    }
  }
  return simdjson::SUCCESS;
}

// simdjson's iterators are passed by reference: copying them costs store-forwarding stalls.
simdjson::error_code evaluate_value(const Frame& frame, ondemand::value& value, int depth) {
  if (depth > max_record_depth) return simdjson::DEPTH_ERROR;
  ondemand::json_type type{};
  SIMDJSON_TRY(value.type().get(type));
  switch (type) {
    case ondemand::json_type::object: {
      // An object is no scalar: leaf rules ignore it (so {"exists": false} holds). Without a
      // child Node, on-demand skips it when the walk moves on.
      if (!frame.key.child) return simdjson::SUCCESS;
      ondemand::object object;
      SIMDJSON_TRY(value.get_object().get(object));
      return evaluate_object(*frame.key.child, object, frame.child_alternatives, frame.scratch,
                             depth);
    }
    case ondemand::json_type::array: {
      ondemand::array array;
      SIMDJSON_TRY(value.get_array().get(array));
      bool empty = true;
      for (auto element : array) {
        ondemand::value element_value;
        SIMDJSON_TRY(element.get(element_value));
        SIMDJSON_TRY(evaluate_value(frame, element_value, depth + 1));
        empty = false;
      }
      // An empty array brings no value: the child sees nothing, as if the key were absent.
      if (empty && frame.key.child) {
        merge(frame.child_alternatives, frame.key.child->empty_alternatives);
      }
      return simdjson::SUCCESS;
    }
    default: return evaluate_scalar(frame, value, type);
  }
}

// Sets bit `a` of `out` when every condition of alternative `a` holds; returns whether any did.
bool collect_alternatives(const Node& node, const std::uint64_t* satisfied, std::uint64_t* out) {
  bool any = false;
  for (std::size_t a = 0; a < node.alternatives.size(); ++a) {
    const Mask& required = node.alternatives[a];
    bool holds = true;
    for (std::size_t i = 0; i < node.condition_words && holds; ++i) {
      holds = (required[i] & ~satisfied[i]) == 0;
    }
    if (holds) {
      set_bit(out, a);
      any = true;
    }
  }
  return any;
}

simdjson::error_code evaluate_object(const Node& node, ondemand::object& object,
                                     std::uint64_t* alternatives_out, std::uint64_t* scratch,
                                     int depth, bool* decided) {
  if (depth > max_record_depth) return simdjson::DEPTH_ERROR;
  const std::size_t words = node.condition_words;
  std::uint64_t* satisfied = scratch;
  std::uint64_t* touched = scratch + words;
  std::uint64_t* rest = scratch + 2 * words;
  std::fill(scratch, rest, 0);
  // One forward pass over the record's fields; each is looked up among the pattern keys.
  for (auto field_result : object) {
    ondemand::field field;
    SIMDJSON_TRY(std::move(field_result).get(field));
    std::string_view name;
    SIMDJSON_TRY(field.unescaped_key().get(name));
    const KeyRules* key = node.find(name);
    if (key == nullptr) continue;
    const std::size_t child_words = key->child ? key->child->alternative_words : 0;
    std::fill(rest, rest + child_words, 0);
    bool progressed = false;
    const Frame frame{*key, satisfied, touched, rest, rest + child_words, &progressed};
    SIMDJSON_TRY(evaluate_value(frame, field.value(), depth + 1));
    for (const ChildRule& rule : key->children) {
      set_bit(touched, rule.condition);
      if (intersects(rest, rule.alternatives.data(), child_words)) {
        set_bit(satisfied, rule.condition);
        progressed = true;
      }
    }
    // Satisfied bits only ever get set, so an alternative that holds now holds at the end.
    if (decided != nullptr && progressed &&
        collect_alternatives(node, satisfied, alternatives_out)) {
      *decided = true;
      return simdjson::SUCCESS;
    }
  }
  for (std::size_t i = 0; i < words; ++i) satisfied[i] |= node.absent_ok[i] & ~touched[i];
  collect_alternatives(node, satisfied, alternatives_out);
  return simdjson::SUCCESS;
}

}  // namespace

simdjson::error_code evaluate(const Program& program, ondemand::object& root,
                              std::uint64_t* scratch, bool& matched, bool& decided_early) {
  const std::size_t words = program.root.alternative_words;
  std::fill(scratch, scratch + words, 0);
  decided_early = false;
  SIMDJSON_TRY(evaluate_object(program.root, root, scratch, scratch + words, 1, &decided_early));
  matched = std::any_of(scratch, scratch + words, [](std::uint64_t w) { return w != 0; });
  return simdjson::SUCCESS;
}

}  // namespace nanofaas::detail::filter
