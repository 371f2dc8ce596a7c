#pragma once

#include <cstddef>
#include <initializer_list>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "nanofaas/expected.hpp"
#include "nanofaas/export.hpp"

namespace nanofaas {

namespace detail::filter {
struct Program;
}  // namespace detail::filter

/// The `FilterCriteria` of an event source mapping: up to 5 patterns in EventBridge syntax, ORed.
/// A record passes when it matches any pattern. Compiled once; cheap to copy (shares the
/// compiled form); all members are const and thread-safe.
class NANOFAAS_API FilterCriteria {
 public:
  /// Most patterns one `FilterCriteria` holds (Lambda's limit on `Filters`).
  static constexpr std::size_t max_patterns = 5;
  /// Bytes that must be readable after a record's last byte for `matches(record, capacity)` to
  /// parse it in place (SIMDJSON_PADDING); with fewer, the record is copied first.
  static constexpr std::size_t record_padding = 64;

  /// No filter: every record passes, as in Lambda without `FilterCriteria`.
  FilterCriteria() noexcept;

  /// Compiles 1-5 patterns. Fails with `invalid_argument` and a message naming the pattern
  /// (`Filters[i].Pattern`), the key path and the problem: malformed JSON, unknown operator,
  /// wrong operand type, empty list or object, more than 5 patterns, none at all.
  [[nodiscard]] static Expected<FilterCriteria> compile(std::span<const std::string_view> patterns);
  [[nodiscard]] static Expected<FilterCriteria> compile(std::span<const std::string> patterns);
  [[nodiscard]] static Expected<FilterCriteria> compile(
      std::initializer_list<std::string_view> patterns);

  /// True when the JSON `record` matches any pattern; a record that is not valid JSON anywhere
  /// in it, or not an object, matches nothing (Lambda drops it). Reads the record once, up to
  /// the first matching pattern, then checks all of a matching record. Copies it into a
  /// thread-local buffer.
  [[nodiscard]] bool matches(std::string_view record) const;
  /// As above; `capacity` is how many bytes are readable from `record.data()` (e.g. a
  /// `std::string`'s `capacity()`). With `record_padding` to spare the record is not copied.
  [[nodiscard]] bool matches(std::string_view record, std::size_t capacity) const;

  /// As `matches`, but a malformed record (or one that is not an object) is an
  /// `invalid_argument` error that says what is wrong and at which byte offset.
  [[nodiscard]] Expected<bool> try_match(std::string_view record) const;
  [[nodiscard]] Expected<bool> try_match(std::string_view record, std::size_t capacity) const;

  /// How many patterns were compiled; 0 for the pass-everything default.
  [[nodiscard]] std::size_t pattern_count() const noexcept;
  /// True for the default, pass-everything filter.
  [[nodiscard]] bool empty() const noexcept { return pattern_count() == 0; }

 private:
  explicit FilterCriteria(std::shared_ptr<const detail::filter::Program> program) noexcept;

  std::shared_ptr<const detail::filter::Program> program_;
};

}  // namespace nanofaas
