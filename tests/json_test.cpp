#include "nanofaas/json.hpp"

#include <gtest/gtest.h>

#include "test_support.hpp"

namespace {

using namespace nanofaas;

TEST(JsonTest, HandlerParsesPaddedPayloadInPlaceAndUnpaddedByCopy) {
  auto engine = test::make_engine();
  ASSERT_TRUE(engine.add_function({.name = "price"}, [](const Event& ev, Context& ctx) {
    auto doc = parse_json(ev, ctx);
    double qty = 0;
    if (doc["qty"].get_double().get(qty) != simdjson::SUCCESS) {
      return Response::error("BadRequest", "qty missing");
    }
    const bool in_place = ev.payload().padded();
    return Response::ok(std::to_string(static_cast<int>(qty * 2)) +
                        (in_place ? " in-place" : " copied"));
  }));
  auto padded = engine.invoke("price", Payload::copy_of(R"({"qty": 21})"));
  EXPECT_EQ(padded->payload.view(), "42 in-place");
  auto view = engine.invoke("price", std::string_view(R"({"qty": 4})"));
  EXPECT_EQ(view->payload.view(), "8 copied");
  auto bad = engine.invoke("price", "{not json");
  ASSERT_TRUE(bad->function_error);
  EXPECT_EQ(bad->function_error->error_type, "BadRequest");
}

TEST(JsonTest, PayloadKeepsZeroedPadding) {
  Payload p = Payload::copy_of("abc");
  for (std::size_t i = 0; i < payload_padding; ++i) EXPECT_EQ(p.data()[3 + i], 0);
  PayloadView v(p);
  EXPECT_TRUE(v.padded());
  EXPECT_FALSE(PayloadView(std::string_view("abc")).padded());
}

}  // namespace
