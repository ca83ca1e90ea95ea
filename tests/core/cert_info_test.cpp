#include <gtest/gtest.h>

#include "core/cluster.h"

namespace ig {
namespace {

CertInfo key(const std::string& type, int bits) {
  CertInfo c;
  c.key_type = type;
  c.key_bits = bits;
  return c;
}

// Tests the comparable strength of keys: RSA-PSS is an RSA modulus (not a curve), EC is half its size, EdDSA
// fixed, an unknown type 0.
TEST(CertInfo, SecurityBits) {
  EXPECT_EQ(key("RSA", 2048).security_bits(), 112);
  EXPECT_EQ(key("RSA-PSS", 2048).security_bits(), 112);
  EXPECT_EQ(key("RSA-PSS", 3072).security_bits(), 128);
  EXPECT_EQ(key("RSA", 1024).security_bits(), 80);
  EXPECT_EQ(key("DSA", 7680).security_bits(), 192);
  EXPECT_EQ(key("EC", 256).security_bits(), 128);
  EXPECT_EQ(key("EC", 384).security_bits(), 192);
  EXPECT_EQ(key("ED25519", 256).security_bits(), 128);
  EXPECT_EQ(key("ED448", 456).security_bits(), 224);
  EXPECT_EQ(key("other", 512).security_bits(), 0);
  // The swap the diff reports: RSA-PSS 4096 (128 bits) replaced by EC P-256 (128) is no weaker; by RSA 2048 it is.
  EXPECT_FALSE(key("EC", 256).security_bits() < key("RSA-PSS", 4096).security_bits());
  EXPECT_TRUE(key("RSA", 2048).security_bits() < key("RSA-PSS", 4096).security_bits());
}

}  // namespace
}  // namespace ig
