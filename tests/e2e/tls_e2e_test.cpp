// TLS on the node's gRPC listener (issue 12, tls.* keys): a client that trusts the right CA
// connects; one without it, or a plaintext one, does not; with tls.client_ca_file a client
// must also present a certificate that CA signed. Certificates come from the openssl tool,
// made fresh for each run.
#include <sys/stat.h>
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "node_rig.h"

namespace btt::e2e {
namespace {

namespace fs = std::filesystem;

std::string slurp(const std::string& path) {
    std::ifstream in(path);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

// A throwaway PKI: ca, a server certificate for localhost / 127.0.0.1, a client certificate,
// and a second CA that signed nothing of ours.
struct Pki {
    Pki() {
        char tmpl[] = "/tmp/btt-tls-XXXXXX";
        dir = mkdtemp(tmpl);
        const std::string d = dir + "/";
        std::ofstream(d + "server.ext") << "subjectAltName=DNS:localhost,IP:127.0.0.1\n"
                                        << "extendedKeyUsage=serverAuth\n";
        std::ofstream(d + "client.ext") << "extendedKeyUsage=clientAuth\n";
        const std::string ec = " -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes ";
        const std::string quiet = " >/dev/null 2>&1";
        run("openssl req -x509" + ec + "-keyout " + d + "ca.key -out " + d +
            "ca.pem -days 1 -subj /CN=btt-test-ca" + quiet);
        run("openssl req -x509" + ec + "-keyout " + d + "other.key -out " + d +
            "other.pem -days 1 -subj /CN=btt-other-ca" + quiet);
        for (const std::string who : {"server", "client"}) {
            run("openssl req" + ec + "-keyout " + d + who + ".key -out " + d + who +
                ".csr -subj /CN=" + (who == "server" ? "localhost" : "btt-client") + quiet);
            run("openssl x509 -req -in " + d + who + ".csr -CA " + d + "ca.pem -CAkey " + d +
                "ca.key -CAcreateserial -out " + d + who + ".pem -days 1 -extfile " + d + who +
                ".ext" + quiet);
            ::chmod((d + who + ".key").c_str(), 0600);
        }
    }
    ~Pki() { fs::remove_all(dir); }
    static void run(const std::string& command) {
        if (std::system(command.c_str()) != 0)
            throw std::runtime_error("failed: " + command);
    }
    [[nodiscard]] std::string file(const std::string& name) const { return dir + "/" + name; }
    [[nodiscard]] std::string pem(const std::string& name) const { return slurp(file(name)); }
    [[nodiscard]] std::string config(bool mutual) const {
        std::string c = "[tls]\ncert_file = \"" + file("server.pem") + "\"\nkey_file = \"" +
                        file("server.key") + "\"\n";
        if (mutual)
            c += "client_ca_file = \"" + file("ca.pem") + "\"\n";
        return c;
    }
    std::string dir;
};

grpc::Status node_info(const std::shared_ptr<grpc::Channel>& channel) {
    auto stub = v1::ChannelService::NewStub(channel);
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(3));
    v1::NodeInfo info;
    return stub->GetNodeInfo(&ctx, {}, &info);
}

std::shared_ptr<grpc::Channel> tls_channel(const std::string& address, const std::string& ca,
                                           const std::string& cert = "",
                                           const std::string& key = "") {
    grpc::SslCredentialsOptions o;
    o.pem_root_certs = ca;
    o.pem_cert_chain = cert;
    o.pem_private_key = key;
    grpc::ChannelArguments args;
    args.SetSslTargetNameOverride("localhost");
    return grpc::CreateCustomChannel(address, grpc::SslCredentials(o), args);
}

TEST(TlsE2E, OnlyAClientTrustingTheRightCaConnects) {
    Pki pki;
    RigOptions o;
    o.extra_config = pki.config(false);
    o.tls_ca_pem = pki.pem("ca.pem");
    NodeRig rig(o);
    rig.start_node();  // the rig's own health check went over TLS
    EXPECT_TRUE(node_info(tls_channel(rig.node_address(), pki.pem("ca.pem"))).ok());
    EXPECT_FALSE(node_info(tls_channel(rig.node_address(), pki.pem("other.pem"))).ok());
    EXPECT_FALSE(
        node_info(grpc::CreateChannel(rig.node_address(), grpc::InsecureChannelCredentials()))
            .ok());
    EXPECT_NE(rig.node_log().find("with TLS"), std::string::npos);
    // bttctl: --tls-ca reaches the node (an unknown channel is NOT_FOUND: exit 1); without
    // it the handshake fails (exit 3). The certificate names 127.0.0.1 as well.
    const std::string show = std::string(BTTCTL_EXE) + " channel show " + std::string(64, '0') +
                             " --node " + rig.node_address();
    EXPECT_EQ(WEXITSTATUS(std::system(
                  (show + " --tls-ca " + pki.file("ca.pem") + " >/dev/null 2>&1").c_str())),
              1);
    EXPECT_EQ(WEXITSTATUS(std::system((show + " >/dev/null 2>&1").c_str())), 3);
}

TEST(TlsE2E, MutualTlsRefusesAClientWithoutACertificateFromTheClientCa) {
    Pki pki;
    RigOptions o;
    o.extra_config = pki.config(true);
    o.tls_ca_pem = pki.pem("ca.pem");
    o.tls_client_cert_pem = pki.pem("client.pem");
    o.tls_client_key_pem = pki.pem("client.key");
    NodeRig rig(o);
    rig.start_node();
    EXPECT_TRUE(node_info(tls_channel(rig.node_address(), pki.pem("ca.pem"), pki.pem("client.pem"),
                                      pki.pem("client.key")))
                    .ok());
    EXPECT_FALSE(node_info(tls_channel(rig.node_address(), pki.pem("ca.pem"))).ok());
    // A certificate from another CA is refused too (the server's own is not a client's).
    EXPECT_FALSE(node_info(tls_channel(rig.node_address(), pki.pem("ca.pem"), pki.pem("other.pem"),
                                       pki.pem("other.key")))
                     .ok());
    EXPECT_NE(rig.node_log().find("with mutual TLS"), std::string::npos);
}

// DESIGN §10: TLS 1.2 at least. An openssl client offering only TLS 1.1 (its own floor
// lowered, so that the refusal is the node's) gets no session; TLS 1.2 and 1.3 complete
// (with ALPN h2, as gRPC asks).
TEST(TlsE2E, RefusesAnyTlsBelowOnePointTwo) {
    Pki pki;
    RigOptions o;
    o.extra_config = pki.config(false);
    o.tls_ca_pem = pki.pem("ca.pem");
    NodeRig rig(o);
    rig.start_node();
    const auto handshake = [&](const std::string& version) {
        return run_command("timeout 10 openssl s_client -connect " + rig.node_address() +
                           " -servername localhost -alpn h2 -CAfile " + pki.file("ca.pem") + " -" + version +
                           " -cipher DEFAULT:@SECLEVEL=0 </dev/null 2>&1");
    };
    const auto [old_code, old_out] = handshake("tls1_1");
    EXPECT_NE(old_code, 0) << old_out;
    EXPECT_NE(old_out.find("Cipher is (NONE)"), std::string::npos) << old_out;
    EXPECT_EQ(old_out.find("New, TLSv1"), std::string::npos) << old_out;
    for (const auto* version : {"tls1_2", "tls1_3"}) {
        const auto [code, out] = handshake(version);
        EXPECT_EQ(code, 0) << version << ": " << out;
        EXPECT_NE(out.find(std::string("New, TLSv1.") + version[5]), std::string::npos)
            << version << ": " << out;
        EXPECT_NE(out.find("ALPN protocol: h2"), std::string::npos) << version << ": " << out;
    }
}

}  // namespace
}  // namespace btt::e2e
