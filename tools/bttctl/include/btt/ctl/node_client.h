#pragma once
// How bttctl reaches a bttnode (DESIGN §9): `--node HOST:PORT` (env BTT_NODE), `--token-file
// F` (env BTT_TOKEN_FILE) for the operator's and auditor's services, and TLS when the node
// serves it. Calls get a deadline and the bearer token; failures become bttctl exit codes.
#include <chrono>
#include <memory>
#include <string>

#include <grpcpp/channel.h>
#include <grpcpp/client_context.h>
#include <grpcpp/support/status.h>
#include <CLI/CLI.hpp>

namespace btt::ctl {

struct NodeFlags {
    std::string node = "127.0.0.1:50151";
    bool tls = false;           // TLS with the system's roots (or --tls-ca)
    std::string tls_ca_file;    // PEM roots to trust instead of the system's; implies TLS
    std::string tls_cert_file;  // client certificate for mutual TLS (with --tls-key)
    std::string tls_key_file;
    std::string token_file;  // bearer token (0600); empty: no authorization header
};

// Adds --node, --node-tls, --tls-ca, --tls-cert, --tls-key and, when `with_token`,
// --token-file to `cmd`.
void add_node_flags(CLI::App* cmd, NodeFlags& flags, bool with_token);

// A channel to the node; fails with Usage on unreadable TLS files.
std::shared_ptr<grpc::Channel> open_node_channel(const NodeFlags& flags);

// One call's context: a deadline and, if a token file was given, its bearer token (read
// once per process and never printed). Fails with Usage if the token file is unreadable,
// empty or readable by others.
void prepare_call(grpc::ClientContext& call, const NodeFlags& flags,
                  std::chrono::seconds deadline = std::chrono::seconds(30));

// "FAILED_PRECONDITION" for a status code.
const char* status_name(grpc::StatusCode code);

// Returns if `status` is OK; otherwise fails with exit 1 when the node answered about this
// request (NOT_FOUND, INVALID_ARGUMENT, PERMISSION_DENIED, FAILED_PRECONDITION,
// UNAUTHENTICATED, ...) or 3 when it could not answer (UNAVAILABLE, DEADLINE_EXCEEDED, ...),
// with "METHOD at NODE: CODE: message".
void check_status(const grpc::Status& status, const char* method, const NodeFlags& flags);

}  // namespace btt::ctl
