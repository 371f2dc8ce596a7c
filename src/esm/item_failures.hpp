#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "nanofaas/expected.hpp"
#include "nanofaas/payload.hpp"
#include "nanofaas/record.hpp"

namespace nanofaas::detail {

/// Why a batch handler's reported item failures fail its whole batch; `message` names the
/// entry at fault.
struct InvalidItemFailures {
  /// The error type of the failed batch's outcome.
  static constexpr std::string_view error_type = "InvalidBatchItemFailures";
  std::string message;
};

/// Indexes into `records` (ascending) of the records a batch handler reported as failed, for a
/// mapping with `ReportBatchItemFailures`: the ids of `reported` (its
/// `Response::batch_item_failures`), or when there are none, those of `response` in Lambda's
/// form `{"batchItemFailures":[{"itemIdentifier":"…"}]}`. Empty: the whole batch succeeded,
/// as for a response that is empty, `null`, or without (or with a null) `batchItemFailures`.
/// Fails, as Lambda fails the whole batch, for a response that is not valid JSON or not an
/// object, a `batchItemFailures` that is not a list, an entry without a non-empty string
/// `itemIdentifier`, or an id not in `records`.
Expected<std::vector<std::size_t>, InvalidItemFailures> item_failures(
    std::span<const std::string> reported, const Payload& response,
    std::span<const Record> records);

}  // namespace nanofaas::detail
