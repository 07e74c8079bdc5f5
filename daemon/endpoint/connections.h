// Connections: every connection open on the endpoint's doors, and how long
// each has been sending its request line and headers.
//
// Clients send their headers at once; a peer that dribbles them (a header
// line every few seconds keeps MHD's idle timeout from firing) holds a
// descriptor for nothing, so ExpireSlowHeaders (the watcher, every few
// hundred ms) cuts it off. When a burst of connections has closed, the
// memory their buffers took goes back to the system.
#ifndef AIX_DAEMON_ENDPOINT_CONNECTIONS_H_
#define AIX_DAEMON_ENDPOINT_CONNECTIONS_H_

#include <microhttpd.h>

#include <map>
#include <mutex>

#include "absl/time/time.h"
#include "daemon/services/run_count.h"

namespace aix::endpoint {

class Connections {
 public:
  // How long a connection may take to send its request line and headers.
  static constexpr absl::Duration kHeaderDeadline = absl::Seconds(10);

  // MHD's thread reports each connection's life.
  void Opened(MHD_Connection* c, int fd);
  void HeadersSeen(MHD_Connection* c);
  void Closed(MHD_Connection* c);

  // ExpireSlowHeaders shuts down the connections whose headers are late,
  // or whose peer closed before sending them.
  void ExpireSlowHeaders();

 private:
  struct Pending {
    int fd = -1;
    absl::Time opened;
  };
  // A descriptor is shut down only under mu_, and MHD reports a connection
  // closed (which takes mu_) before it closes the descriptor, so
  // ExpireSlowHeaders never touches a descriptor number that was reused.
  std::mutex mu_;
  std::map<MHD_Connection*, Pending> waiting_;  // guarded by mu_
  RunCount open_;
};

}  // namespace aix::endpoint

#endif  // AIX_DAEMON_ENDPOINT_CONNECTIONS_H_
