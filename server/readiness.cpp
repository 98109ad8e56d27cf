#include "server/readiness.hpp"

#include <spdlog/spdlog.h>

namespace auction::server {

Readiness::Readiness(grpc::HealthCheckServiceInterface& health, std::vector<std::string> services,
                     std::function<bool()> database_answers, std::chrono::milliseconds period)
    : health_(health),
      services_(std::move(services)),
      database_answers_(std::move(database_answers)),
      prober_(period, [this] { probe(); }) {
  for (const auto& s : services_) health_.SetServingStatus(s, true);
}

void Readiness::probe() {
  const bool serving = database_answers_();
  if (serving == serving_) return;
  serving_ = serving;
  for (const auto& s : services_) health_.SetServingStatus(s, serving);
  if (serving) {
    spdlog::info("the database answers again: services are SERVING");
  } else {
    spdlog::warn("the database does not answer: services are NOT_SERVING until it does");
  }
}

}  // namespace auction::server
