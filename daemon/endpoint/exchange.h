// Exchange: one HTTP request on one of the endpoint's doors, from its
// headers to the moment nobody holds it any more. A route makes one per
// request (routes.h); the door feeds it MHD's calls, and the endpoint's
// watcher and lifecycle reach every live one through LiveExchanges.
//
// Threads: Continue and Closed run on the door's MHD thread; CheckPeer on
// the watcher's; Cancel on whichever thread stops a door or aixd. A
// subclass guards what those share.
#ifndef AIX_DAEMON_ENDPOINT_EXCHANGE_H_
#define AIX_DAEMON_ENDPOINT_EXCHANGE_H_

#include <microhttpd.h>

#include <cstddef>
#include <string>

namespace aix::endpoint {

class LiveExchanges;

// Where a request arrived.
struct ExchangeStart {
  MHD_Connection* conn = nullptr;
  std::string path;  // the request's path, as MHD decoded it
  int fd = -1;       // the connection's socket (-1 when MHD cannot tell)
  bool tcp = false;  // the loopback TCP door, not the Unix socket
};

class Exchange {
 public:
  explicit Exchange(const ExchangeStart& start) : start_(start) {}
  virtual ~Exchange();  // leaves LiveExchanges

  Exchange(const Exchange&) = delete;
  Exchange& operator=(const Exchange&) = delete;

  // Continue is MHD's request callback after the headers: each piece of
  // the body (consume it: set *upload_size to 0), then, with
  // *upload_size 0, the time to answer or suspend; again after a resume.
  virtual MHD_Result Continue(const char* upload, size_t* upload_size) = 0;

  // Closed: MHD is done with the connection (answered, or the client left).
  virtual void Closed() {}

  // CheckPeer is called every few hundred ms while the exchange lives:
  // a suspended connection is not watched by MHD, so a client that left
  // is noticed here.
  virtual void CheckPeer() {}

  // Cancel ends the exchange's work because aixd stops or its door closes.
  virtual void Cancel() {}

  bool tcp() const { return start_.tcp; }

 protected:
  // ClientLeft says whether the client of a suspended connection has gone
  // (its socket reads end-of-file or fails). On the Unix socket a client
  // that only shut down its sending side (curl and some SDKs do, once the
  // request is sent) still waits for the answer: only a socket closed both
  // ways is a client that left. TCP cannot tell the two apart before a
  // write.
  bool ClientLeft() const;

  MHD_Connection* conn() const { return start_.conn; }
  int fd() const { return start_.fd; }
  const std::string& path() const { return start_.path; }

 private:
  friend class LiveExchanges;
  const ExchangeStart start_;
  LiveExchanges* live_ = nullptr;  // set once by LiveExchanges::Add
};

// Answered is the exchange of a request the door already answered (refused,
// unknown path): it swallows whatever body still arrives.
class Answered final : public Exchange {
 public:
  using Exchange::Exchange;
  MHD_Result Continue(const char* /*upload*/, size_t* upload_size) override {
    *upload_size = 0;
    return MHD_YES;
  }
};

}  // namespace aix::endpoint

#endif  // AIX_DAEMON_ENDPOINT_EXCHANGE_H_
