#include "common/peer_cred.h"

#include <sys/socket.h>
#include <unistd.h>

#include "gtest/gtest.h"

namespace aix {
namespace {

TEST(PeerCredTest, ASocketPairsPeerIsThisProcess) {
  int fds[2];
  ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
  auto peer = PeerOf(fds[0]);
  ASSERT_TRUE(peer.ok()) << peer.status();
  EXPECT_EQ(peer->uid, geteuid());
  EXPECT_EQ(peer->pid, getpid());
  EXPECT_TRUE(peer->IsSelf());
  close(fds[0]);
  close(fds[1]);
}

TEST(PeerCredTest, AnotherUidIsNotSelf) {
  PeerCred other;
  other.uid = geteuid() + 1;
  EXPECT_FALSE(other.IsSelf());
}

TEST(PeerCredTest, NotASocketIsAnErrorNotACredential) {
  int p[2];
  ASSERT_EQ(pipe(p), 0);
  EXPECT_FALSE(PeerOf(p[0]).ok());
  EXPECT_FALSE(PeerOf(-1).ok());
  close(p[0]);
  close(p[1]);
}

}  // namespace
}  // namespace aix
