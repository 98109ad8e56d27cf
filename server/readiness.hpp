#pragma once
/// What grpc.health.v1.Health reports. The empty service name is the process
/// itself (liveness): SERVING while it runs. Each served service is SERVING
/// only while the database answers (readiness): without it every command
/// could only fail UNAVAILABLE, so a load balancer should send them elsewhere.
#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include <grpcpp/health_check_service_interface.h>

#include "server/periodic_thread.hpp"

namespace auction::server {

class Readiness {
 public:
  /// Sets every service SERVING, then asks `database_answers` every `period`
  /// on a thread of its own (a probe that hangs delays no one else).
  Readiness(grpc::HealthCheckServiceInterface& health, std::vector<std::string> services,
            std::function<bool()> database_answers, std::chrono::milliseconds period);
  Readiness(const Readiness&) = delete;
  Readiness& operator=(const Readiness&) = delete;
  Readiness(Readiness&&) = delete;
  Readiness& operator=(Readiness&&) = delete;

 private:
  void probe();

  grpc::HealthCheckServiceInterface& health_;
  const std::vector<std::string> services_;
  const std::function<bool()> database_answers_;
  bool serving_ = true;    ///< only touched by the probe thread after construction
  PeriodicThread prober_;  ///< last: probes once the rest is set
};

}  // namespace auction::server
