#pragma once

#include <cstdint>

#include "filter/json_reader.hpp"
#include "filter/program.hpp"

namespace nanofaas::detail::filter {

/// Deepest nesting the matcher follows inside a record: the objects along the patterns' keys
/// plus arrays nested in them (the rest of the record is skipped, whatever its depth).
inline constexpr int max_record_depth = 64;

/// Words of scratch that `evaluate(program, ...)` needs.
inline std::size_t scratch_words(const Program& program) noexcept {
  return program.root.alternative_words + program.root.scratch_words;
}

/// Walks the record's root object once and sets `matched` when any pattern matches. Stops
/// early, setting `decided_early`, once a pattern matches whatever follows. `scratch` holds
/// `scratch_words(program)` words. Fails with the record's parse error.
simdjson::error_code evaluate(const Program& program, ondemand::object& root,
                              std::uint64_t* scratch, bool& matched, bool& decided_early);

}  // namespace nanofaas::detail::filter
