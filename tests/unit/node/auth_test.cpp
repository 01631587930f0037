// Bearer-token roles (issue 12): which header value is which role, and what each role may
// call. The gRPC statuses are checked end to end in tests/e2e/ops_e2e_test.cpp.
#include <gtest/gtest.h>

#include <btt/node/rpc/auth.h>

namespace {

using btt::node::Authorizer;
using btt::node::Role;

TEST(Authorizer, NamesTheRoleOfEachTokenAndNothingElse) {
    const Authorizer auth("operator-secret-0123456789", "auditor-secret-0123456789");
    EXPECT_EQ(auth.role_of("Bearer operator-secret-0123456789"), Role::Operator);
    EXPECT_EQ(auth.role_of("bearer auditor-secret-0123456789"), Role::Auditor);
    EXPECT_EQ(auth.role_of("BEARER auditor-secret-0123456789"), Role::Auditor);
    for (const char* bad :
         {"", "Bearer", "Bearer ", "operator-secret-0123456789", "Basic operator-secret-0123456789",
          "Bearer operator-secret-012345678", "Bearer operator-secret-01234567890",
          "Bearer  operator-secret-0123456789", "Bearer operator-secret-0123456789 ",
          "Bearerx operator-secret-0123456789"}) {
        EXPECT_FALSE(auth.role_of(bad)) << bad;
    }
}

TEST(Authorizer, ARoleWithoutATokenMatchesNoHeader) {
    const Authorizer only_operator("operator-secret-0123456789", "");
    EXPECT_EQ(only_operator.role_of("Bearer operator-secret-0123456789"), Role::Operator);
    EXPECT_FALSE(only_operator.role_of("Bearer "));
    EXPECT_FALSE(only_operator.role_of("Bearer auditor-secret-0123456789"));
    const Authorizer none("", "");
    EXPECT_FALSE(none.role_of("Bearer "));
    EXPECT_FALSE(none.role_of("Bearer x"));
}

}  // namespace
