// W3C traceparent and X-Ray's X-Amzn-Trace-Id: round trips, and bad input that must come back
// as an error value (never a throw, a crash or a read past the text).

#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "nanofaas/trace_context.hpp"

namespace {

using nanofaas::Errc;
using nanofaas::TraceContext;

constexpr std::string_view w3c_example = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
constexpr std::string_view xray_example =
    "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1";

TEST(TraceContextTest, ParsesW3CsExample) {
  auto c = TraceContext::from_traceparent(w3c_example);
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->trace_id_high, 0x4bf92f3577b34da6u);
  EXPECT_EQ(c->trace_id_low, 0xa3ce929d0e0e4736u);
  EXPECT_EQ(c->span_id, 0x00f067aa0ba902b7u);
  EXPECT_TRUE(c->sampled);
  EXPECT_EQ(c->traceparent(), w3c_example);
}

TEST(TraceContextTest, ReadsTheSampledFlagOnly) {
  auto off =
      TraceContext::from_traceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00");
  ASSERT_TRUE(off);
  EXPECT_FALSE(off->sampled);
  auto other_flags =
      TraceContext::from_traceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-03");
  ASSERT_TRUE(other_flags);
  EXPECT_TRUE(other_flags->sampled);
}

TEST(TraceContextTest, ALaterVersionMayCarryMoreFields) {
  auto c = TraceContext::from_traceparent(
      "cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-what-the-future-holds");
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->span_id, 0x00f067aa0ba902b7u);
}

TEST(TraceContextTest, ParsesXRaysExample) {
  auto c = TraceContext::from_x_amzn_trace_id(xray_example);
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->trace_id_high, 0x5759e988bd862e3fu);
  EXPECT_EQ(c->trace_id_low, 0xe1be46a994272793u);
  EXPECT_EQ(c->span_id, 0x53995c3f42cd8ad8u);
  EXPECT_TRUE(c->sampled);
  EXPECT_EQ(c->x_amzn_trace_id(), xray_example);
}

TEST(TraceContextTest, XRayFieldsComeInAnyOrderWithUnknownOnesIgnored) {
  auto c = TraceContext::from_x_amzn_trace_id(
      " Sampled=0 ; Lineage=a87bd80c:1|68fd508a:5 ;Parent=53995c3f42cd8ad8;"
      "Root=1-5759E988-BD862E3FE1BE46A994272793;");
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_FALSE(c->sampled);
  EXPECT_EQ(c->trace_id_high, 0x5759e988bd862e3fu);
  EXPECT_EQ(c->span_id, 0x53995c3f42cd8ad8u);
}

TEST(TraceContextTest, AnXRayHeaderWithoutParentOrSampledIsARootSampledTrace) {
  auto c = TraceContext::from_x_amzn_trace_id("Root=1-5759e988-bd862e3fe1be46a994272793");
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->span_id, 0u);
  EXPECT_TRUE(c->sampled);
  EXPECT_EQ(c->x_amzn_trace_id(), "Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1");
  auto deferred =
      TraceContext::from_x_amzn_trace_id("Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=?");
  ASSERT_TRUE(deferred);
  EXPECT_TRUE(deferred->sampled);
}

TEST(TraceContextTest, TheTwoFormsCarryTheSameTrace) {
  auto w3c = TraceContext::from_traceparent(w3c_example).value();
  auto xray = TraceContext::from_x_amzn_trace_id(w3c.x_amzn_trace_id());
  ASSERT_TRUE(xray) << xray.error().message;
  EXPECT_EQ(*xray, w3c);
  auto back = TraceContext::from_traceparent(xray->traceparent());
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, w3c);
}

TEST(TraceContextTest, RandomContextsRoundTripThroughBothForms) {
  std::mt19937_64 rng(14);
  for (int i = 0; i < 2000; ++i) {
    TraceContext c{rng() | 1, rng(), rng() | 1, (rng() & 1) != 0};
    auto w3c = TraceContext::from_traceparent(c.traceparent());
    ASSERT_TRUE(w3c) << c.traceparent();
    EXPECT_EQ(*w3c, c);
    auto xray = TraceContext::from_x_amzn_trace_id(c.x_amzn_trace_id());
    ASSERT_TRUE(xray) << c.x_amzn_trace_id();
    EXPECT_EQ(*xray, c);
    EXPECT_EQ(c.traceparent().size(), TraceContext::traceparent_size);
    EXPECT_LE(c.x_amzn_trace_id().size(), TraceContext::x_amzn_trace_id_max_size);
  }
}

TEST(TraceContextTest, TheTraceIdIsThirtyTwoHexDigits) {
  const TraceContext c{0x4bf92f3577b34da6u, 0xa3ce929d0e0e4736u, 1, true};
  EXPECT_EQ(c.trace_id_hex(), "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_EQ(nanofaas::to_hex16(0xabu), "00000000000000ab");
  EXPECT_FALSE(TraceContext{}.valid());
  EXPECT_TRUE(c.valid());
}

TEST(TraceContextTest, BadTraceparentsAreErrors) {
  const std::vector<std::string_view> bad = {
      "",
      "00",
      "00-",
      "hello",
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7",      // no flags
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0",    // short flags
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-",  // 00 has no more
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01x",  // trailing junk
      "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",   // forbidden version
      "0g-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",   // bad version
      "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",   // uppercase
      "00-00000000000000000000000000000000-00f067aa0ba902b7-01",   // zero trace id
      "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",   // zero parent id
      "00_4bf92f3577b34da6a3ce929d0e0e4736_00f067aa0ba902b7_01",   // separators
      "00-4bf92f3577b34da6a3ce929d0e0e473-600f067aa0ba902b7-01",   // shifted separator
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902bz-01",   // not hex
      "00--bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",   // sign in a field
      "00-+bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
      "cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01x",  // later: '-' must follow
  };
  for (std::string_view text : bad) {
    auto c = TraceContext::from_traceparent(text);
    EXPECT_FALSE(c) << "accepted '" << text << "'";
    if (!c) {
      EXPECT_EQ(c.error().code, Errc::invalid_argument);
    }
  }
}

TEST(TraceContextTest, BadXRayHeadersAreErrors) {
  const std::vector<std::string_view> bad = {
      "",
      ";;;",
      "Root",
      "Root=",
      "Parent=53995c3f42cd8ad8;Sampled=1",          // no Root
      "Root=1-5759e988-bd862e3fe1be46a99427279",    // short
      "Root=1-5759e988-bd862e3fe1be46a9942727933",  // long
      "Root=2-5759e988-bd862e3fe1be46a994272793",   // version
      "Root=1_5759e988-bd862e3fe1be46a994272793",
      "Root=1-5759e988_bd862e3fe1be46a994272793",
      "Root=1-5759e98g-bd862e3fe1be46a994272793",                          // not hex
      "Root=1-00000000-000000000000000000000000",                          // zero
      "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad",   // short parent
      "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8adx",  // not hex
      "Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=yes",
      "Root=1-5759e988-bd862e3fe1be46a994272793;garbage",  // a field without '='
  };
  for (std::string_view text : bad) {
    auto c = TraceContext::from_x_amzn_trace_id(text);
    EXPECT_FALSE(c) << "accepted '" << text << "'";
    if (!c) {
      EXPECT_EQ(c.error().code, Errc::invalid_argument);
    }
  }
}

// Mutations of valid headers (a byte changed, inserted, removed, the text cut short): every
// one parses to a value or an error, and whatever parses formats back to a valid header.
TEST(TraceContextTest, MutatedHeadersNeverCrashAndWhatParsesIsValid) {
  std::mt19937 rng(5);
  const std::string seeds[] = {std::string(w3c_example), std::string(xray_example)};
  const std::string alphabet =
      "0123456789abcdefABCDEF-=;: \t\x00\xff"
      "RootParentSampled";
  for (int i = 0; i < 20000; ++i) {
    std::string text = seeds[i % 2];
    for (int edits = 1 + static_cast<int>(rng() % 4); edits > 0; --edits) {
      const std::size_t at = rng() % (text.size() + 1);
      const char c = alphabet[rng() % alphabet.size()];
      switch (rng() % 4) {
        case 0:
          if (at < text.size()) text[at] = c;
          break;
        case 1: text.insert(text.begin() + static_cast<std::ptrdiff_t>(at), c); break;
        case 2:
          if (at < text.size()) text.erase(at, 1);
          break;
        default: text.resize(at); break;
      }
    }
    for (auto parsed :
         {TraceContext::from_traceparent(text), TraceContext::from_x_amzn_trace_id(text)}) {
      if (!parsed) {
        EXPECT_FALSE(parsed.error().message.empty());
        continue;
      }
      EXPECT_TRUE(parsed->valid()) << text;
      EXPECT_TRUE(TraceContext::from_x_amzn_trace_id(parsed->x_amzn_trace_id())) << text;
    }
  }
}

}  // namespace

namespace {

// A header with no Root names itself in the error, so a host can log what it refused.
TEST(TraceContextTest, AnXRayHeaderWithoutRootIsQuotedInTheError) {
  auto c = nanofaas::TraceContext::from_x_amzn_trace_id("Parent=53995c3f42cd8ad8;Sampled=1");
  ASSERT_FALSE(c);
  EXPECT_NE(c.error().message.find("Parent=53995c3f42cd8ad8"), std::string::npos)
      << c.error().message;
}

}  // namespace
