// The byte policy (util/bytes.h) and the one JSON writer (util/json.h): any
// bytes give valid UTF-8 that strict parsers accept, and the original bytes
// come back from the documented unescaping.
#include "util/bytes.h"
#include "util/json.h"

#include <cmath>
#include <gtest/gtest.h>
#include <limits>
#include <nlohmann/json.hpp>
#include <random>
#include <string>

namespace {

using namespace std::string_literals;

std::string json_string(std::string_view s) {
    fmt::memory_buffer b;
    ksurf::json::append_string(b, s);
    return std::string(b.data(), b.size());
}

// Strings that hit the policy's corners often: UTF-8 lead and continuation
// bytes, backslashes, 'x' and hex digits, controls, quotes.
std::string random_bytes(std::mt19937 &rng) {
    static const std::string kTricky = "\\x5cAf0\"\n\x01\x7f\xc2\x9b\xe2\x80\xae\xed\xa0\x80"
                                       "\xf0\x9f\x98\x80\xf4\x90\xc0\x80\xff\xfe"s;
    std::uniform_int_distribution<int> len(0, 24), pick(0, 2), byte(0, 255),
        tricky(0, static_cast<int>(kTricky.size()) - 1);
    std::string s;
    for (int i = len(rng); i > 0; --i)
        s.push_back(pick(rng) ? kTricky[static_cast<size_t>(tricky(rng))]
                              : static_cast<char>(byte(rng)));
    return s;
}

TEST(Utf8, AcceptsOnlyWellFormedSequences) {
    EXPECT_TRUE(ksurf::valid_utf8("plain ascii"));
    EXPECT_TRUE(ksurf::valid_utf8("\xc3\xa9t\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"));
    EXPECT_FALSE(ksurf::valid_utf8("\xff"));
    EXPECT_FALSE(ksurf::valid_utf8("\x80"));             // stray continuation
    EXPECT_FALSE(ksurf::valid_utf8("\xc0\x80"));         // overlong NUL
    EXPECT_FALSE(ksurf::valid_utf8("\xe0\x80\xaf"));     // overlong '/'
    EXPECT_FALSE(ksurf::valid_utf8("\xed\xa0\x80"));     // surrogate
    EXPECT_FALSE(ksurf::valid_utf8("\xf4\x90\x80\x80")); // > U+10FFFF
    EXPECT_FALSE(ksurf::valid_utf8("\xe2\x82"));         // cut short
}

TEST(BytePolicy, JsonKeepsUtf8AndEscapesTheRest) {
    EXPECT_EQ(json_string("bad\xff\xfe\x80name"), R"("bad\\xff\\xfe\\x80name")");
    EXPECT_EQ(json_string("caf\xc3\xa9"), "\"caf\xc3\xa9\"");
    EXPECT_EQ(json_string("a\"b\\c\n\x01"), R"("a\"b\\c\n\u0001")");
    // A backslash that would read as an escape is one itself.
    EXPECT_EQ(json_string("\\x41"), R"("\\x5cx41")");
    EXPECT_EQ(json_string("\\x4"), R"("\\x4")");
}

TEST(BytePolicy, TextEscapesControlsAndInvalidBytes) {
    EXPECT_EQ(ksurf::text_escaped("bad\xff\xfe\x80name"), R"(bad\xff\xfe\x80name)");
    EXPECT_EQ(ksurf::text_escaped("two\nlines\x1b[2J"), R"(two\x0alines\x1b[2J)");
    EXPECT_EQ(ksurf::text_escaped("csi\xc2\x9b"
                                  "31m"),
              R"(csi\xc2\x9b31m)");
    EXPECT_EQ(ksurf::text_escaped("rtl\xe2\x80\xae"), R"(rtl\xe2\x80\xae)");
    EXPECT_EQ(ksurf::text_escaped("caf\xc3\xa9 \"q\" a\\b"), "caf\xc3\xa9 \"q\" a\\b");
    EXPECT_EQ(ksurf::text_escaped("\\x41"), R"(\x5cx41)");
}

TEST(BytePolicy, RandomBytesGiveStrictJsonThatRoundTrips) {
    std::mt19937 rng(20261201);
    for (int i = 0; i < 20000; ++i) {
        std::string raw = random_bytes(rng);
        std::string doc = json_string(raw);
        ASSERT_TRUE(ksurf::valid_utf8(doc)) << i;
        // nlohmann's parser rejects invalid UTF-8 and lone surrogates.
        nlohmann::json parsed;
        ASSERT_NO_THROW(parsed = nlohmann::json::parse(doc)) << doc;
        ASSERT_TRUE(parsed.is_string());
        EXPECT_EQ(ksurf::unescape_bytes(parsed.get<std::string>()), raw) << doc;
    }
}

TEST(BytePolicy, RandomBytesGiveSafeTextThatRoundTrips) {
    std::mt19937 rng(7);
    for (int i = 0; i < 20000; ++i) {
        std::string raw = random_bytes(rng);
        std::string text = ksurf::text_escaped(raw);
        ASSERT_TRUE(ksurf::valid_utf8(text)) << text;
        for (unsigned char c : text) ASSERT_TRUE(c >= 0x20 && c != 0x7f) << text;
        EXPECT_EQ(text.find("\xc2\x9b"), std::string::npos) << text;
        EXPECT_EQ(ksurf::unescape_bytes(text), raw) << text;
    }
}

TEST(JsonWriter, NestsWithCommas) {
    fmt::memory_buffer b;
    ksurf::json::Writer w(b);
    w.begin_object().member("a", 1).key("b").begin_array().value("x").value(true).null();
    w.begin_object().end_object().begin_array().end_array().end_array();
    w.member("c", -2.5).member("d", uint64_t{18446744073709551615ull}).end_object();
    EXPECT_EQ(std::string(b.data(), b.size()),
              R"({"a":1,"b":["x",true,null,{},[]],"c":-2.5,"d":18446744073709551615})");
}

TEST(JsonWriter, NumbersReadBackAndNonFiniteIsNull) {
    fmt::memory_buffer b;
    ksurf::json::Writer w(b);
    w.begin_array().value(100.0).value(0.1).value(1e300).value(std::nan(""));
    w.value(std::numeric_limits<double>::infinity()).value(int64_t{-9}).end_array();
    auto parsed = nlohmann::json::parse(std::string(b.data(), b.size()));
    ASSERT_EQ(parsed.size(), 6u);
    EXPECT_TRUE(parsed[0].is_number_float());
    EXPECT_EQ(parsed[0].get<double>(), 100.0);
    EXPECT_EQ(parsed[1].get<double>(), 0.1);
    EXPECT_EQ(parsed[2].get<double>(), 1e300);
    EXPECT_TRUE(parsed[3].is_null());
    EXPECT_TRUE(parsed[4].is_null());
    EXPECT_EQ(parsed[5].get<int>(), -9);
}

// Documents of valid UTF-8 come out as nlohmann itself writes them, pretty or not.
TEST(JsonWriter, DocumentsMatchNlohmannForValidText) {
    nlohmann::json j = {{"name", "caf\xc3\xa9"},
                        {"list", {1, 2, {{"k", nullptr}}}},
                        {"empty", nlohmann::json::array()},
                        {"obj", nlohmann::json::object()},
                        {"f", 1.5},
                        {"neg", -3},
                        {"esc", "tab\there \"q\""}};
    EXPECT_EQ(ksurf::json::dump(j), j.dump() + "\n");
    EXPECT_EQ(ksurf::json::dump(j, 2), j.dump(2) + "\n");
}

TEST(JsonWriter, DocumentsWithInvalidBytesDoNotAbort) {
    nlohmann::json j = {{"comm", "bad\xff\xfe\x80name"}, {"k\xff", {"\xc0\x80"}}};
    EXPECT_THROW((void)j.dump(), nlohmann::json::type_error); // why ksurf does not use dump()
    std::string doc = ksurf::json::dump(j);
    auto parsed = nlohmann::json::parse(doc);
    EXPECT_EQ(ksurf::unescape_bytes(parsed["comm"].get<std::string>()), "bad\xff\xfe\x80name");
    EXPECT_EQ(parsed["k\\xff"][0].get<std::string>(), "\\xc0\\x80");
}

} // namespace
