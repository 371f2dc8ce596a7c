#include "nanofaas/filter.hpp"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "filter/compiler.hpp"
#include "filter/evaluator.hpp"
#include "filter/json_reader.hpp"
#include "filter/text.hpp"

namespace nanofaas {
namespace {

using detail::filter::Program;
namespace ondemand = detail::filter::ondemand;

static_assert(FilterCriteria::record_padding == simdjson::SIMDJSON_PADDING);

// Per-thread matching state, reused by every FilterCriteria so that matching allocates nothing
// once warm. Matching never suspends, so fibers sharing a thread cannot interleave on it.
struct ThreadState {
  ondemand::parser parser;
  // Checks a whole record: on-demand reads only what the patterns name.
  simdjson::dom::parser validator;
  std::vector<std::uint64_t> scratch;
  std::unique_ptr<char[]> copy;  // a padded copy of records that lack padding
  std::size_t copy_capacity = 0;

  std::string_view padded(std::string_view record) {
    const std::size_t needed = record.size() + FilterCriteria::record_padding;
    if (copy_capacity < needed) {
      copy_capacity = std::max(needed, 2 * copy_capacity);
      copy = std::make_unique_for_overwrite<char[]>(copy_capacity);
    }
    if (!record.empty()) std::memcpy(copy.get(), record.data(), record.size());
    std::memset(copy.get() + record.size(), 0, FilterCriteria::record_padding);
    return {copy.get(), record.size()};
  }
};

ThreadState& thread_state() {
  thread_local ThreadState state;
  return state;
}

// Matches one record; on a parse error, fills `why` when it is given.
bool run(const Program& program, std::string_view record, std::size_t capacity, bool& matched,
         std::string* why) {
  ThreadState& state = thread_state();
  if (capacity < record.size() + FilterCriteria::record_padding) {
    record = state.padded(record);
    capacity = record.size() + FilterCriteria::record_padding;
  }
  const std::size_t words = detail::filter::scratch_words(program);
  if (state.scratch.size() < words) state.scratch.resize(words);
  detail::filter::JsonDocument doc;
  auto error = doc.open(state.parser, record, capacity);
  bool decided_early = false;
  if (!error) {
    error =
        detail::filter::evaluate(program, doc.root(), state.scratch.data(), matched, decided_early);
  }
  if (!error && !decided_early) error = doc.finish();
  if (error) {
    if (why != nullptr) {
      *why = detail::filter::concat(
          {"record: ", doc.describe(error, detail::filter::max_record_depth)});
    }
    return false;
  }
  // A record passes only when all of it is valid JSON, as Lambda drops malformed records
  // (a skipped member is not checked above); a record that matches nothing needs no check.
  if (!matched && why == nullptr) return true;
  const auto invalid = state.validator.parse(record.data(), record.size(), false).error();
  if (invalid && why != nullptr) {
    *why = detail::filter::concat({"record: malformed JSON: ", simdjson::error_message(invalid)});
  }
  return !invalid;
}

}  // namespace

FilterCriteria::FilterCriteria() noexcept = default;

FilterCriteria::FilterCriteria(std::shared_ptr<const Program> program) noexcept
    : program_(std::move(program)) {}

Expected<FilterCriteria> FilterCriteria::compile(std::span<const std::string_view> patterns) {
  return detail::filter::compile_program(patterns).transform(
      [](std::shared_ptr<const Program> program) { return FilterCriteria(std::move(program)); });
}

Expected<FilterCriteria> FilterCriteria::compile(std::span<const std::string> patterns) {
  const std::vector<std::string_view> views(patterns.begin(), patterns.end());
  return compile(std::span<const std::string_view>(views));
}

Expected<FilterCriteria> FilterCriteria::compile(std::initializer_list<std::string_view> patterns) {
  return compile(std::span<const std::string_view>(patterns.begin(), patterns.size()));
}

bool FilterCriteria::matches(std::string_view record) const {
  return matches(record, 0);
}

bool FilterCriteria::matches(std::string_view record, std::size_t capacity) const {
  if (!program_) return true;
  bool matched = false;
  return run(*program_, record, capacity, matched, nullptr) && matched;
}

Expected<bool> FilterCriteria::try_match(std::string_view record) const {
  return try_match(record, 0);
}

Expected<bool> FilterCriteria::try_match(std::string_view record, std::size_t capacity) const {
  if (!program_) return true;
  bool matched = false;
  std::string why;
  if (!run(*program_, record, capacity, matched, &why)) {
    return Unexpected(Error{Errc::invalid_argument, std::move(why)});
  }
  return matched;
}

std::size_t FilterCriteria::pattern_count() const noexcept {
  return program_ ? program_->pattern_count : 0;
}

}  // namespace nanofaas
