#pragma once
// The unary side of the node's API that a run needs (DESIGN §9): GetNodeInfo once, and
// GetChannel until every channel of the run is usable. Every call has a deadline.

#include <iosfwd>
#include <memory>

#include <grpcpp/channel.h>

#include <btt/base/expected.h>
#include <btt/channel/v1/channel.grpc.pb.h>
#include <btt/load/fleet.h>
#include <btt/load/options.h>

namespace btt::load {

// A channel to the node. `own_connection` gives it a TCP connection of its own (each proof
// stream gets one, so streams are spread over the node's connections).
[[nodiscard]] std::shared_ptr<grpc::Channel> make_node_channel(const Options& options,
                                                               bool own_connection);

class NodeApi {
public:
    explicit NodeApi(const Options& options);

    // The node's info, or Unreachable naming the gRPC status.
    [[nodiscard]] Expected<btt::channel::v1::NodeInfo, RunError> node_info();

    // Waits until GetChannel says every channel is OPEN (reuse: OPEN or CLOSING, and a
    // channel the node does not know is an error at once), at most `timeout_s`, polling
    // once a second. Then each channel's deposit is the node's and its last_sent is raised
    // to the node's accepted amount, so proofs continue above both. Errors: Usage when a
    // channel's payer is not its key's address; Errors when a channel is SETTLING or
    // CLOSED, or still not open at the timeout (Unreachable if the node stopped answering).
    [[nodiscard]] Expected<void, RunError> await_channels(Fleet& fleet, double timeout_s,
                                                          std::ostream& log);

private:
    const Options& m_options;
    std::shared_ptr<grpc::Channel> m_channel;
    std::unique_ptr<btt::channel::v1::ChannelService::Stub> m_stub;
};

}  // namespace btt::load
