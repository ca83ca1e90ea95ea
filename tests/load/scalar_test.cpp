#include <gtest/gtest.h>

#include "load/scalar.h"

namespace ig {

// Tests that unquoted YAML 1.1 booleans decode as kubectl decodes them.
TEST(Scalar, Yaml11Booleans) {
  for (auto t : {"yes", "Yes", "YES", "y", "Y", "on", "On", "true", "True"}) EXPECT_EQ(parse_bool_11(t), true) << t;
  for (auto t : {"no", "No", "n", "N", "off", "OFF", "false", "FALSE"}) EXPECT_EQ(parse_bool_11(t), false) << t;
  EXPECT_EQ(parse_bool_11("yes please"), std::nullopt);
  EXPECT_EQ(resolve_plain("on"), ScalarType::Bool);
}

// Tests that integers follow Go's base rules: leading zero is octal, 0x hex, underscores ignored.
TEST(Scalar, Yaml11Integers) {
  EXPECT_EQ(parse_int_11("0777"), 511);
  EXPECT_EQ(parse_int_11("0x1F"), 31);
  EXPECT_EQ(parse_int_11("0b101"), 5);
  EXPECT_EQ(parse_int_11("1_000"), 1000);
  EXPECT_EQ(parse_int_11("-42"), -42);
  EXPECT_EQ(parse_int_11("089"), std::nullopt);  // 8 and 9 are not octal digits
  EXPECT_EQ(parse_int_11("99999999999999999999"), std::nullopt);
  EXPECT_EQ(resolve_plain("8080"), ScalarType::Int);
  EXPECT_EQ(resolve_plain("1.5e3"), ScalarType::Float);
  EXPECT_EQ(resolve_plain(".inf"), ScalarType::Float);
  EXPECT_EQ(resolve_plain("1.2.3"), ScalarType::String);
  EXPECT_EQ(resolve_plain("~"), ScalarType::Null);
  EXPECT_EQ(resolve_plain("web"), ScalarType::String);
}

// Tests that a quoted value stays a string whatever it looks like.
TEST(Scalar, QuotedStaysString) {
  Node quoted;
  quoted.text = "true";
  quoted.plain = false;
  EXPECT_EQ(as_bool(&quoted), std::nullopt);
  EXPECT_EQ(as_string(&quoted), "true");
  Node plain;
  plain.text = "true";
  plain.plain = true;
  EXPECT_EQ(as_bool(&plain), true);
  EXPECT_EQ(as_string(&plain), std::nullopt);
}

}  // namespace ig
