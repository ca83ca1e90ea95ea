#include "core/cidr.h"

#include <gtest/gtest.h>

namespace ig {
namespace {

// Tests addresses and blocks of both families: canonical forms, containment, prefixes at the edges, refusals.
TEST(Cidr, AddressesAndBlocks) {
  auto v6 = parse_ip("2001:DB8:0:0::1");
  ASSERT_TRUE(v6);
  EXPECT_EQ(to_string(*v6), "2001:db8::1");
  auto block = parse_cidr(" 2001:db8::/32 ");
  ASSERT_TRUE(block);
  EXPECT_TRUE(block->contains(*v6));
  EXPECT_FALSE(block->contains(*parse_ip("2001:db9::1")));
  auto ten = parse_cidr("10.0.0.0/8");
  ASSERT_TRUE(ten);
  EXPECT_TRUE(ten->contains(*parse_ip("10.255.1.2")));
  EXPECT_FALSE(ten->contains(*parse_ip("11.0.0.1")));
  EXPECT_FALSE(ten->contains(*v6));  // families never mix
  EXPECT_TRUE(parse_cidr("0.0.0.0/0")->contains(*parse_ip("203.0.113.9")));
  auto one = parse_cidr("192.0.2.7");
  ASSERT_TRUE(one);
  EXPECT_EQ(one->prefix, 32);
  EXPECT_FALSE(one->contains(*parse_ip("192.0.2.8")));
  for (const char* bad : {"", "10.0.0.0/33", "::/129", "10.0.0.0/", "10.0.0.0/8x", "10.0.0/8", "example.com", "1.2.3.4/-1"})
    EXPECT_FALSE(parse_cidr(bad)) << bad;
  EXPECT_FALSE(parse_ip("1.2.3.4 "));
}

// Tests listening addresses: v4, bracketed v6, an empty host, and what is refused with the reason.
TEST(Cidr, ListenAddresses) {
  std::string error;
  auto a = parse_listen_address("127.0.0.1:9910", error);
  ASSERT_TRUE(a) << error;
  EXPECT_EQ(to_string(a->address), "127.0.0.1");
  EXPECT_EQ(a->port, 9910);
  auto b = parse_listen_address("[::1]:0", error);
  ASSERT_TRUE(b) << error;
  EXPECT_TRUE(b->address.v6);
  auto c = parse_listen_address(":8443", error);
  ASSERT_TRUE(c) << error;
  EXPECT_EQ(to_string(c->address), "0.0.0.0");
  for (const char* bad : {"localhost:80", "127.0.0.1", "127.0.0.1:65536", "127.0.0.1:x", "127.0.0.1:"}) {
    error.clear();
    EXPECT_FALSE(parse_listen_address(bad, error)) << bad;
    EXPECT_NE(error.find("ADDR:PORT"), std::string::npos) << bad;
  }
}

}  // namespace
}  // namespace ig
