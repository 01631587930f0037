// The proof hot path's crypto, to compare with shared/reference/performance-floor.md:
// signing, full verification (digest -> recover -> address), digests and txids.
#include <benchmark/benchmark.h>
#include <secp256k1.h>
#include <secp256k1_recovery.h>

#include <btt/tron/channel_messages.h>
#include <btt/tron/hash.h>
#include <btt/tron/tip104.h>
#include <btt/tron/transaction.h>

namespace {

using namespace btt::tron;

const PrivateKey& payer() {
    static const auto key = PrivateKey::from_hex(
        "783825822a6f9e62da2190e828e4c9d2576e5977e3a0b3620b092dfb9e9996fa").value();
    return key;
}

btt::Hash32 channel() {
    btt::Hash32 c{};
    c.fill(0x5a);
    return c;
}

void BM_SignProof(benchmark::State& state) {
    std::uint64_t amount = 1;
    for (auto _ : state) {
        benchmark::DoNotOptimize(sign_message_v2(payer(), balance_proof_message(channel(), amount++)));
    }
}
BENCHMARK(BM_SignProof);

void BM_VerifyProof(benchmark::State& state) {
    const auto message = balance_proof_message(channel(), 42);
    const auto sig = sign_message_v2(payer(), message);
    const auto expected = payer().address();
    for (auto _ : state) {
        auto signer = recover_message_v2(balance_proof_message(channel(), 42), sig);
        if (!signer || *signer != expected) state.SkipWithError("did not verify");
        benchmark::DoNotOptimize(signer);
    }
}
BENCHMARK(BM_VerifyProof)->Threads(1)->Threads(2);

// The floor: libsecp256k1's recover alone (parse + recover), as performance-floor.md
// measured it; BM_VerifyProof / BM_RawRecover is our overhead ratio.
void BM_RawRecover(benchmark::State& state) {
    static secp256k1_context* ctx = secp256k1_context_create(SECP256K1_CONTEXT_NONE);
    const auto digest = tip104_digest(balance_proof_message(channel(), 42));
    const auto sig = payer().sign_digest(digest);
    for (auto _ : state) {
        secp256k1_ecdsa_recoverable_signature rs;
        secp256k1_pubkey key;
        secp256k1_ecdsa_recoverable_signature_parse_compact(ctx, &rs, sig.data(), sig[64] - 27);
        benchmark::DoNotOptimize(secp256k1_ecdsa_recover(ctx, &key, &rs, digest.data()));
    }
}
BENCHMARK(BM_RawRecover);

void BM_Tip104Digest(benchmark::State& state) {
    const auto message = balance_proof_message(channel(), 42);
    for (auto _ : state) benchmark::DoNotOptimize(tip104_digest(message));
}
BENCHMARK(BM_Tip104Digest);

void BM_Txid(benchmark::State& state) {
    TransferSpec spec{std::string("1002000"), payer().address(), payer().address(), 5, {},
                      1'700'000'060'000, 1'700'000'000'000, {}};
    const auto raw = build_transfer(spec).value().raw_data;
    for (auto _ : state) benchmark::DoNotOptimize(txid_of(raw));
}
BENCHMARK(BM_Txid);

void BM_BuildAndSignPayout(benchmark::State& state) {
    TransferSpec spec{std::string("1002000"), payer().address(), payer().address(), 5, {},
                      1'700'000'060'000, 1'700'000'000'000, {}};
    for (auto _ : state) {
        const auto built = build_transfer(spec).value();
        benchmark::DoNotOptimize(sign_transaction(payer(), built.txid));
        ++spec.amount;
    }
}
BENCHMARK(BM_BuildAndSignPayout);

}  // namespace

BENCHMARK_MAIN();
