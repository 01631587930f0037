// bttctl's connection to a bttnode: flags, TLS, bearer token, status → exit code.
#include <btt/ctl/node_client.h>

#include <fstream>
#include <mutex>
#include <sstream>

#include <fmt/format.h>
#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>

#include <btt/ctl/context.h>
#include <btt/tron/io/key_file.h>

namespace btt::ctl {

namespace {

std::string read_pem(const std::string& path, const char* flag) {
    std::ifstream in(path);
    if (!in)
        fail(ExitCode::Usage, fmt::format("{} {}: cannot read", flag, path));
    std::ostringstream text;
    text << in.rdbuf();
    if (text.str().empty())
        fail(ExitCode::Usage, fmt::format("{} {}: empty", flag, path));
    return text.str();
}

// The token is read once per process: bttctl makes one or a few calls, and tests call
// run() many times with different files, so the cache is keyed by path.
std::string bearer_token(const std::string& path) {
    static std::mutex mutex;
    static std::string cached_path;
    static std::string cached_token;
    std::lock_guard lock(mutex);
    if (path == cached_path)
        return cached_token;
    auto token = tron::io::read_secret_file(path, 4096);
    if (!token)
        fail(ExitCode::Usage, "--token-file: " + token.error().message());
    if (token->find_first_of(" \t\r\n") != std::string::npos)
        fail(ExitCode::Usage,
             "--token-file " + path + ": the token must be one line without spaces");
    cached_path = path;
    cached_token = std::move(*token);
    return cached_token;
}

}  // namespace

void add_node_flags(CLI::App* cmd, NodeFlags& flags, bool with_token) {
    cmd->add_option("--node", flags.node, "bttnode gRPC HOST:PORT (env BTT_NODE)")
        ->envname("BTT_NODE")
        ->capture_default_str();
    cmd->add_flag("--node-tls", flags.tls, "TLS to the node (system roots unless --tls-ca)");
    cmd->add_option("--tls-ca", flags.tls_ca_file,
                    "PEM roots that sign the node's certificate (implies TLS; env BTT_TLS_CA)")
        ->envname("BTT_TLS_CA");
    cmd->add_option("--tls-cert", flags.tls_cert_file,
                    "client certificate (PEM) for a node that requires mutual TLS")
        ->envname("BTT_TLS_CERT");
    cmd->add_option("--tls-key", flags.tls_key_file, "the client certificate's private key (PEM)")
        ->envname("BTT_TLS_KEY");
    if (with_token) {
        cmd->add_option("--token-file", flags.token_file,
                        "bearer token of the operator or auditor role (mode 0600; env "
                        "BTT_TOKEN_FILE)")
            ->envname("BTT_TOKEN_FILE");
    }
}

std::shared_ptr<grpc::Channel> open_node_channel(const NodeFlags& flags) {
    if (flags.node.empty())
        fail(ExitCode::Usage, "--node: give HOST:PORT");
    if (flags.tls_cert_file.empty() != flags.tls_key_file.empty())
        fail(ExitCode::Usage, "--tls-cert and --tls-key go together");
    const bool tls = flags.tls || !flags.tls_ca_file.empty() || !flags.tls_cert_file.empty();
    if (!tls)
        return grpc::CreateChannel(flags.node, grpc::InsecureChannelCredentials());
    grpc::SslCredentialsOptions options;
    if (!flags.tls_ca_file.empty())
        options.pem_root_certs = read_pem(flags.tls_ca_file, "--tls-ca");
    if (!flags.tls_cert_file.empty()) {
        options.pem_cert_chain = read_pem(flags.tls_cert_file, "--tls-cert");
        options.pem_private_key = read_pem(flags.tls_key_file, "--tls-key");
    }
    return grpc::CreateChannel(flags.node, grpc::SslCredentials(options));
}

void prepare_call(grpc::ClientContext& call, const NodeFlags& flags,
                  std::chrono::seconds deadline) {
    call.set_deadline(std::chrono::system_clock::now() + deadline);
    if (!flags.token_file.empty())
        call.AddMetadata("authorization", "Bearer " + bearer_token(flags.token_file));
}

const char* status_name(grpc::StatusCode code) {
    switch (code) {
        case grpc::StatusCode::OK:
            return "OK";
        case grpc::StatusCode::CANCELLED:
            return "CANCELLED";
        case grpc::StatusCode::UNKNOWN:
            return "UNKNOWN";
        case grpc::StatusCode::INVALID_ARGUMENT:
            return "INVALID_ARGUMENT";
        case grpc::StatusCode::DEADLINE_EXCEEDED:
            return "DEADLINE_EXCEEDED";
        case grpc::StatusCode::NOT_FOUND:
            return "NOT_FOUND";
        case grpc::StatusCode::ALREADY_EXISTS:
            return "ALREADY_EXISTS";
        case grpc::StatusCode::PERMISSION_DENIED:
            return "PERMISSION_DENIED";
        case grpc::StatusCode::RESOURCE_EXHAUSTED:
            return "RESOURCE_EXHAUSTED";
        case grpc::StatusCode::FAILED_PRECONDITION:
            return "FAILED_PRECONDITION";
        case grpc::StatusCode::ABORTED:
            return "ABORTED";
        case grpc::StatusCode::OUT_OF_RANGE:
            return "OUT_OF_RANGE";
        case grpc::StatusCode::UNIMPLEMENTED:
            return "UNIMPLEMENTED";
        case grpc::StatusCode::INTERNAL:
            return "INTERNAL";
        case grpc::StatusCode::UNAVAILABLE:
            return "UNAVAILABLE";
        case grpc::StatusCode::DATA_LOSS:
            return "DATA_LOSS";
        case grpc::StatusCode::UNAUTHENTICATED:
            return "UNAUTHENTICATED";
        case grpc::StatusCode::DO_NOT_USE:
            break;
    }
    return "UNKNOWN";
}

void check_status(const grpc::Status& status, const char* method, const NodeFlags& flags) {
    if (status.ok())
        return;
    // The node answered about this request (1), or could not answer at all (3).
    ExitCode code = ExitCode::Network;
    switch (status.error_code()) {
        case grpc::StatusCode::NOT_FOUND:
        case grpc::StatusCode::INVALID_ARGUMENT:
        case grpc::StatusCode::PERMISSION_DENIED:
        case grpc::StatusCode::FAILED_PRECONDITION:
        case grpc::StatusCode::UNAUTHENTICATED:
        case grpc::StatusCode::ALREADY_EXISTS:
        case grpc::StatusCode::OUT_OF_RANGE:
            code = ExitCode::Invalid;
            break;
        default:
            break;
    }
    fail(code, fmt::format("{} at {}: {}: {}", method, flags.node, status_name(status.error_code()),
                           status.error_message()));
}

}  // namespace btt::ctl
