# Unit tests of tron/ (pure encoding, crypto) and its key-file I/O.
target_sources(unit_tests PRIVATE
    unit/tron/vectors_test.cpp
    unit/tron/known_answers_test.cpp
    unit/tron/address_test.cpp
    unit/tron/signature_test.cpp
    unit/tron/transaction_test.cpp
    unit/tron/key_file_test.cpp
    unit/tron/broadcast_policy_test.cpp
    unit/tron/merkle_test.cpp
    unit/tron/batch_header_test.cpp
    unit/tron/readme_example_test.cpp
)
# btt_proto_tron: known-answer tests build block headers with the generated messages.
target_link_libraries(unit_tests PRIVATE btt_tron btt_tron_io btt_proto_tron)
