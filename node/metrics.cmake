# bttnode's Prometheus metrics on HTTP /metrics (DESIGN §6; issue 12): btt_node_metrics.
# Included from node/CMakeLists.txt; paths are relative to node/. prometheus-cpp stays
# private: the header shows plain methods only.
add_library(btt_node_metrics STATIC src/metrics.cpp)
add_library(btt::node_metrics ALIAS btt_node_metrics)
target_include_directories(btt_node_metrics PUBLIC ${CMAKE_CURRENT_SOURCE_DIR}/include)
# Public: the header takes channels::Outcome and channels::Reject.
target_link_libraries(btt_node_metrics
    PUBLIC btt_options btt_channels
    PRIVATE prometheus-cpp::core prometheus-cpp::pull fmt::fmt)
