// Random interleavings of schedule / reschedule / cancel / release /
// advance, including timers touched from inside callbacks, run on the wheel
// and on ReferenceTimers in lockstep: every fired sequence and every
// NextExpiry must be identical, and the wheel's invariants must hold.
// A failure prints its seed; SLAD_TEST_SEED=<seed> replays it alone.

#include <cstdint>
#include <limits>
#include <utility>
#include <vector>

#include "engine/timer_wheel.h"
#include "gtest/gtest.h"
#include "tests/testing/reference_timers.h"
#include "tests/testing/seed.h"

namespace slad::engine {
namespace {

using testing::ReferenceTimers;
using testing::SplitMix64;

constexpr int kIds = 256;
constexpr int kSeeds = 60;
constexpr int kOpsPerSeed = 20'000;  // 1.2M operations in all
constexpr int64_t kDay = 86'400'000;

using Fired = std::vector<std::pair<int, int64_t>>;  // id, deadline

// A deadline near `now_ms`, drawn to hit every placement: due ones, level 0,
// each higher level, years ahead, the int64 limit, and exact ties with
// deadlines used before.
int64_t PickDeadline(SplitMix64& rng, int64_t now_ms,
                     std::vector<int64_t>& recent) {
  int64_t d;
  switch (rng.Below(10)) {
    case 0: d = now_ms - static_cast<int64_t>(rng.Below(1'000)); break;
    case 1: case 2: d = now_ms + static_cast<int64_t>(rng.Below(100)); break;
    case 3: d = now_ms + static_cast<int64_t>(rng.Below(100'000)); break;
    case 4: case 5: d = now_ms + static_cast<int64_t>(rng.Below(30 * kDay)); break;
    case 6: d = now_ms + static_cast<int64_t>(rng.Below(uint64_t{1} << 44)); break;
    case 7:
      d = rng.OneIn(4) ? std::numeric_limits<int64_t>::max() -
                             static_cast<int64_t>(rng.Below(3))
                       : now_ms + static_cast<int64_t>(rng.Below(64));
      break;
    default:
      d = recent.empty() ? now_ms : recent[rng.Below(recent.size())];
      break;
  }
  if (recent.size() < 32) {
    recent.push_back(d);
  } else {
    recent[rng.Below(recent.size())] = d;
  }
  return d;
}

int64_t PickAdvance(SplitMix64& rng, int64_t now_ms) {
  switch (rng.Below(8)) {
    case 0: return now_ms - static_cast<int64_t>(rng.Below(1'000));  // back
    case 1: case 2: return now_ms + static_cast<int64_t>(rng.Below(10));
    case 3: return now_ms + static_cast<int64_t>(rng.Below(5'000));
    case 4: return now_ms + static_cast<int64_t>(rng.Below(kDay));
    case 5: return now_ms + static_cast<int64_t>(rng.Below(40 * kDay));
    case 6: return now_ms + static_cast<int64_t>(rng.Below(uint64_t{1} << 44));
    default: return now_ms;
  }
}

// What a callback does, decided only by (seed, how many fired so far, the
// firing id and deadline): if the wheel and the model agree up to a firing,
// they take the same actions in it. `Side` supplies Rearm/Cancel/Release.
template <typename Side>
void CallbackActions(uint64_t seed, uint64_t fire_count, int id,
                     int64_t deadline_ms, Side& side) {
  SplitMix64 rng(seed * 0x9E3779B97F4A7C15ull + fire_count);
  if (rng.OneIn(3)) side.Rearm(id, deadline_ms + static_cast<int64_t>(rng.Below(50)));
  if (rng.OneIn(4)) side.Cancel(static_cast<int>(rng.Below(kIds)));
  if (rng.OneIn(6)) {
    const int other = static_cast<int>(rng.Below(kIds));
    side.Rearm(other, deadline_ms - 100 + static_cast<int64_t>(rng.Below(2'000)));
  }
  if (rng.OneIn(20)) side.Release(static_cast<int>(rng.Below(kIds)));
}

class Lockstep {
 public:
  explicit Lockstep(uint64_t seed)
      : seed_(seed), rng_(seed), wheel_(kStart), model_(kStart) {
    for (int id = 0; id < kIds; ++id) NewHandle(id);
  }

  void Step() {
    switch (rng_.Below(20)) {
      case 0: case 1: case 2: case 3: case 4: case 5: case 6: {
        const int id = RandomId();
        const int64_t d = PickDeadline(rng_, model_.now_ms(), recent_);
        ASSERT_TRUE(wheel_.Reschedule(handles_[id], d).ok());
        model_.Schedule(id, d);
        break;
      }
      case 7: case 8: {
        const int id = RandomId();
        const int64_t d = PickDeadline(rng_, model_.now_ms(), recent_);
        absl::Status s = wheel_.Schedule(handles_[id], d);
        if (model_.IsArmed(id)) {
          ASSERT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
        } else {
          ASSERT_TRUE(s.ok()) << s;
          model_.Schedule(id, d);
        }
        break;
      }
      case 9: case 10: case 11: {
        const int id = RandomId();
        ASSERT_TRUE(wheel_.Cancel(handles_[id]).ok());
        model_.Cancel(id);
        break;
      }
      case 12: {
        const int id = RandomId();
        const TimerHandle old = handles_[id];
        ReleaseBoth(id);
        ASSERT_EQ(wheel_.Cancel(old).code(), absl::StatusCode::kFailedPrecondition);
        break;
      }
      default:
        AdvanceBoth(PickAdvance(rng_, model_.now_ms()));
        break;
    }
    ASSERT_EQ(wheel_.NextExpiry(), model_.NextExpiry());
    ASSERT_EQ(wheel_.armed(), model_.armed());
    if (++steps_ % 64 == 0) {
      ASSERT_TRUE(wheel_.CheckInvariants().ok()) << wheel_.CheckInvariants();
    }
  }

 private:
  static constexpr int64_t kStart = 1'767'225'600'000;  // 2026-01-01Z

  // The wheel's side of a callback.
  struct WheelSide {
    Lockstep& t;
    void Rearm(int id, int64_t d) {
      EXPECT_TRUE(t.wheel_.Reschedule(t.handles_[id], d).ok());
    }
    void Cancel(int id) { EXPECT_TRUE(t.wheel_.Cancel(t.handles_[id]).ok()); }
    void Release(int id) {
      EXPECT_TRUE(t.wheel_.Release(t.handles_[id]).ok());
      t.NewHandle(id);
    }
  };
  struct ModelSide {
    ReferenceTimers& m;
    void Rearm(int id, int64_t d) { m.Schedule(id, d); }
    void Cancel(int id) { m.Cancel(id); }
    void Release(int id) { m.Cancel(id); }
  };

  int RandomId() { return static_cast<int>(rng_.Below(kIds)); }

  void NewHandle(int id) {
    handles_[id] = wheel_.Allocate();
    if (id_of_.size() <= handles_[id].index) id_of_.resize(handles_[id].index + 1);
    id_of_[handles_[id].index] = id;
  }

  void ReleaseBoth(int id) {
    ASSERT_TRUE(wheel_.Release(handles_[id]).ok());
    model_.Cancel(id);
    NewHandle(id);
  }

  void AdvanceBoth(int64_t to) {
    Fired from_wheel, from_model;
    uint64_t wheel_fires = fire_count_, model_fires = fire_count_;
    WheelSide wheel_side{*this};
    wheel_.Advance(to, [&](TimerHandle h, int64_t d) {
      const int id = id_of_[h.index];
      from_wheel.emplace_back(id, d);
      if (from_wheel.size() < kMaxFiresPerAdvance) {
        CallbackActions(seed_, wheel_fires++, id, d, wheel_side);
      }
    });
    ModelSide model_side{model_};
    model_.Advance(to, [&](int id, int64_t d) {
      from_model.emplace_back(id, d);
      if (from_model.size() < kMaxFiresPerAdvance) {
        CallbackActions(seed_, model_fires++, id, d, model_side);
      }
    });
    fire_count_ = wheel_fires;
    ASSERT_EQ(from_wheel, from_model) << "advance to " << to;
    ASSERT_EQ(wheel_.now_ms(), model_.now_ms());
  }

  // Callbacks re-arm at or after their own deadline, so one Advance ends;
  // this cap only bounds how long a pathological draw can take.
  static constexpr size_t kMaxFiresPerAdvance = 100'000;

  uint64_t seed_;
  SplitMix64 rng_;
  TimerWheel wheel_;
  ReferenceTimers model_;
  TimerHandle handles_[kIds];
  std::vector<int> id_of_;
  std::vector<int64_t> recent_;
  uint64_t fire_count_ = 0;
  uint64_t steps_ = 0;
};

TEST(TimerWheelPropertyTest, AgreesWithReferenceModel) {
  for (uint64_t seed : testing::PropertySeeds(/*first=*/20261123, kSeeds)) {
    SCOPED_TRACE("seed " + std::to_string(seed) +
                 " (replay: SLAD_TEST_SEED=" + std::to_string(seed) + ")");
    Lockstep run(seed);
    for (int op = 0; op < kOpsPerSeed; ++op) {
      run.Step();
      if (::testing::Test::HasFatalFailure()) {
        ADD_FAILURE() << "failed at operation " << op;
        return;
      }
    }
  }
}

}  // namespace
}  // namespace slad::engine
