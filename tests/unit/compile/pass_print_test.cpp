// The print pass: the choices from an argument's name and format letter, and
// what they make of a value whose type is known (on the fixture BTF).
#include "compile/pass_print.h"
#include "fixture.h"

using namespace ksurf::compile::detail;
using ksurf::compile::Print;
using ksurf::test::compile_one;

TEST(PassPrint, PrefixWinsOverLetter) {
    EXPECT_EQ(print_choice("x", 0), Print::Default);
    EXPECT_EQ(print_choice("x", 'S'), Print::Signed);
    EXPECT_EQ(print_choice("x", 'U'), Print::Unsigned);
    EXPECT_EQ(print_choice("x", 'X'), Print::Hex);
    EXPECT_EQ(print_choice("ip_dst", 'X'), Print::Ipv4);
    EXPECT_EQ(print_choice("b16_port", 0), Print::Be16);
    EXPECT_EQ(print_choice("B64_q", 'S'), Print::Be64Hex);
}

TEST(PassPrint, IntegerTypeLetter) {
    EXPECT_EQ(int_type_letter(0, "x", true), 's');
    EXPECT_EQ(int_type_letter(0, "x", false), 'u');
    EXPECT_EQ(int_type_letter('X', "x", true), 'x');
    EXPECT_EQ(int_type_letter('U', "x", true), 'u');
    EXPECT_EQ(int_type_letter(0, "b32_seq", true), 'u');
    EXPECT_EQ(int_type_letter('S', "b32_seq", false), 's');
}

TEST(PassPrint, SameValueThreeWays) {
    // one value, printed as its C type says, as hex, and as a port in network order
    auto c = compile_one("p _do_fork a=p->pid b=X%0->pid");
    ASSERT_TRUE(c.ok) << c.errors();
    EXPECT_EQ(c.probe().args[0].print, Print::Default);
    EXPECT_TRUE(c.probe().args[0].fetch.ends_with(":s32"));
    EXPECT_EQ(c.probe().args[1].print, Print::Hex);
    EXPECT_TRUE(c.probe().args[1].fetch.ends_with(":x32"));
    auto s = compile_one("p wake_up_new_task c=p->comm");
    ASSERT_TRUE(s.ok) << s.errors();
    EXPECT_EQ(s.probe().args[0].print, Print::String);
}
