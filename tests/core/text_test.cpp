// Text from outside on its way to a terminal, a report or a log: escaping and cutting.
#include <gtest/gtest.h>

#include "core/text.h"

namespace ig {

// Tests that C1 controls, bidi overrides and bytes that are not UTF-8 are escaped; other UTF-8 is kept whole,
// and a cut never splits a character.
TEST(SafeText, EscapesWhatATerminalWouldObey) {
  EXPECT_EQ(safe_text("a\x1b[2Kb\n"), "a\\x1b[2Kb\\x0a");
  EXPECT_EQ(safe_text("a\xc2\x9b" "2Jb"), "a\\u009b2Jb");
  EXPECT_EQ(safe_text("evil\xe2\x80\xae" "txt.exe"), "evil\\u202etxt.exe");
  EXPECT_EQ(safe_text("\x9b" "31m\xff"), "\\x9b31m\\xff");
  EXPECT_EQ(safe_text("caf\xc3\xa9 \xe2\x9c\x93"), "caf\xc3\xa9 \xe2\x9c\x93");
  EXPECT_EQ(safe_text("\xc0\xaf"), "\\xc0\\xaf");  // overlong '/'
  EXPECT_EQ(safe_text("\xed\xa0\x80"), "\\xed\\xa0\\x80");  // a surrogate
  EXPECT_EQ(safe_text("ab\xc3\xa9", 3), "ab... (4 bytes)");
  EXPECT_EQ(terminal_text(std::string(5000, 'x')).size(), 5000u);
}

// Tests that a message quoting a 1 MB value keeps its words and its explanation, cut to bounded size.
TEST(CutLongWords, BoundsEchoedValues) {
  std::string host(1 << 20, 'a');
  std::string m = cut_long_words("host " + host + " is not listed in spec.tls[].hosts");
  EXPECT_EQ(m, "host " + std::string(kMaxEchoedValue, 'a') + "... (1048576 bytes) is not listed in spec.tls[].hosts");
  EXPECT_EQ(cut_long_words("short words stay"), "short words stay");
  std::string many;
  for (int i = 0; i < 2000; ++i) many += "word ";
  std::string cut = cut_long_words(many);
  EXPECT_LE(cut.size(), kMaxMessageBytes + 32);
  EXPECT_NE(cut.find("... (10000 bytes)"), std::string::npos) << cut.substr(cut.size() - 40);
  // Never inside a character: 2-byte characters cut at an odd byte count keep whole characters.
  std::string accents;
  for (int i = 0; i < 300; ++i) accents += "\xc3\xa9";
  std::string c = cut_long_words(accents, 255);
  EXPECT_EQ(c.substr(0, 254), accents.substr(0, 254));
  EXPECT_EQ(c.substr(254, 4), "... ");
}

}  // namespace ig
