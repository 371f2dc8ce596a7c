#include "source/redrive_batch.hpp"

#include <memory>

#include "source/queue_state.hpp"

namespace nanofaas::detail {

void RedriveBatch::deliver(QueueState& dead_letters) {
  for (Item& item : items_) {
    QueueSlot& from = *item.slot;
    if (!item.copy) {
      item.moved = dead_letters.accept_redrive(from.body, from.attributes, from, item.group);
      continue;
    }
    Payload body = Payload::copy_of(from.body.view());
    std::unique_ptr<std::vector<RecordAttribute>> attributes;
    if (from.attributes) {
      attributes = std::make_unique<std::vector<RecordAttribute>>(*from.attributes);
    }
    item.moved = dead_letters.accept_redrive(body, attributes, from, item.group);
  }
}

}  // namespace nanofaas::detail
