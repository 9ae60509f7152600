#include "tools/client.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <string>
#include <random>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace slad::tools {
namespace {

int64_t NowUnixNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// A LineClient connected to a loopback listener; peer() is the server's
// end of the connection.
class LoopbackTest : public ::testing::Test {
 protected:
  void SetUp() override {
    listener_ = ::socket(AF_INET, SOCK_STREAM, 0);
    ASSERT_GE(listener_, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(::bind(listener_, reinterpret_cast<sockaddr*>(&addr),
                     sizeof(addr)),
              0);
    ASSERT_EQ(::listen(listener_, 1), 0);
    socklen_t len = sizeof(addr);
    ASSERT_EQ(::getsockname(listener_, reinterpret_cast<sockaddr*>(&addr),
                            &len),
              0);
    absl::StatusOr<std::unique_ptr<LineClient>> c =
        LineClient::Dial(absl::StrCat("127.0.0.1:", ntohs(addr.sin_port)));
    ASSERT_TRUE(c.ok()) << c.status();
    client_ = *std::move(c);
    peer_ = ::accept(listener_, nullptr, nullptr);
    ASSERT_GE(peer_, 0);
  }
  void TearDown() override {
    client_.reset();
    if (peer_ >= 0) ::close(peer_);
    if (listener_ >= 0) ::close(listener_);
  }
  void Send(const std::string& data) {
    ASSERT_EQ(::send(peer_, data.data(), data.size(), 0),
              static_cast<ssize_t>(data.size()));
  }

  int listener_ = -1;
  int peer_ = -1;
  std::unique_ptr<LineClient> client_;
};

// The kernel turns stamping on for the whole system lazily (a deferred
// static key): the first packets after EnableReceiveTimestamps() may come
// without a stamp. Reads lines until one has one.
void AwaitStamping(LineClient* client, int peer) {
  for (int i = 0; i < 200 && client->rx_unix_ns() == 0; ++i) {
    ASSERT_EQ(::send(peer, "w\n", 2, 0), 2);
    ASSERT_TRUE(*client->ReadOnce(1000));
    absl::string_view line;
    while (client->ReadBufferedLine(&line)) {
    }
    if (client->rx_unix_ns() == 0) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  }
  ASSERT_NE(client->rx_unix_ns(), 0) << "the kernel never stamped a read";
}

// The stamp is when the data reached the socket, not when it was read: a
// reader that gets to it 50 ms later still sees the arrival time.
TEST_F(LoopbackTest, ReceiveTimestampIsArrivalNotReadTime) {
  client_->EnableReceiveTimestamps();
  EXPECT_EQ(client_->rx_unix_ns(), 0);
  AwaitStamping(client_.get(), peer_);
  const int64_t before_ns = NowUnixNs();
  Send("a\n");
  const int64_t sent_ns = NowUnixNs();
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  absl::StatusOr<bool> read = client_->ReadOnce(1000);
  ASSERT_TRUE(read.ok() && *read);
  EXPECT_GE(client_->rx_unix_ns(), before_ns);
  EXPECT_LE(client_->rx_unix_ns(), sent_ns);
  absl::string_view line;
  ASSERT_TRUE(client_->ReadBufferedLine(&line));
  EXPECT_EQ(line, "a");
}

TEST_F(LoopbackTest, WithoutTimestampsThereIsNoStamp) {
  Send("a\n");
  absl::StatusOr<bool> read = client_->ReadOnce(1000);
  ASSERT_TRUE(read.ok() && *read);
  EXPECT_EQ(client_->rx_unix_ns(), 0);
}

// ReadOnce takes one read and returns, so that the lines it completed can
// be stamped with that read's arrival before later data is taken in.
TEST_F(LoopbackTest, ReadOnceTakesOneReadAndTimesOut) {
  client_->EnableReceiveTimestamps();
  AwaitStamping(client_.get(), peer_);
  absl::StatusOr<bool> idle = client_->ReadOnce(10);
  ASSERT_TRUE(idle.ok());
  EXPECT_FALSE(*idle);
  Send("first\npart");
  ASSERT_TRUE(*client_->ReadOnce(1000));
  const int64_t first_rx = client_->rx_unix_ns();
  absl::string_view line;
  ASSERT_TRUE(client_->ReadBufferedLine(&line));
  EXPECT_EQ(line, "first");
  EXPECT_FALSE(client_->ReadBufferedLine(&line));  // "part" is not a line yet
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  Send("ial\n");
  ASSERT_TRUE(*client_->ReadOnce(1000));
  EXPECT_GT(client_->rx_unix_ns(), first_rx);
  ASSERT_TRUE(client_->ReadBufferedLine(&line));
  EXPECT_EQ(line, "partial");
}

// Lines of every length, up to several reads' worth, sent in chunks that
// cut them anywhere, come back whole and in order: the buffer keeps what
// is unread across reads while it drops what was read and grows for a
// long line. RESP-style bodies (ReadExact) are interleaved. Seed printed.
TEST_F(LoopbackTest, LinesSurviveAnyChunking) {
  const uint32_t seed = 20261125;
  SCOPED_TRACE(absl::StrCat("seed ", seed));
  std::mt19937 rng(seed);
  std::vector<std::string> lines;
  std::string stream;
  for (int i = 0; i < 600; ++i) {
    const size_t len = i % 50 == 7 ? 70000 + rng() % 140000 : rng() % 300;
    std::string line(len, '\0');
    for (char& c : line) c = static_cast<char>('a' + rng() % 26);
    lines.push_back(line);
    stream += line + (i % 3 == 0 ? "\r\n" : "\n");
  }
  std::thread sender([&, chunk_rng = std::mt19937(seed + 1)]() mutable {
    for (size_t at = 0; at < stream.size();) {
      const size_t n = std::min<size_t>(1 + chunk_rng() % 9000, stream.size() - at);
      ASSERT_EQ(::send(peer_, stream.data() + at, n, 0), static_cast<ssize_t>(n));
      at += n;
    }
  });
  for (size_t i = 0; i < lines.size(); ++i) {
    absl::string_view got;
    if (i % 3 == 0) {  // the body and its "\r\n", read as RESP would
      ASSERT_TRUE(client_->ReadExact(lines[i].size(), &got).ok());
    } else {
      ASSERT_TRUE(client_->ReadLine(&got).ok());
    }
    ASSERT_EQ(got, lines[i]) << "line " << i;
  }
  sender.join();
  absl::string_view none;
  EXPECT_FALSE(client_->ReadBufferedLine(&none));
  EXPECT_FALSE(client_->HasBufferedLine());
}

TEST_F(LoopbackTest, ReadOnceReportsTheServerClosing) {
  ::close(peer_);
  peer_ = -1;
  EXPECT_FALSE(client_->ReadOnce(1000).ok());
}

}  // namespace
}  // namespace slad::tools
