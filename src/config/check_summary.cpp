#include "config/check_summary.h"

#include <map>
#include <set>

namespace fleetgate {

namespace {

// "6 skipped (azure/ unsupported)", or "3 skipped (2 azure/ unsupported, 1 no provider)".
std::string skipped_text(const std::vector<SkippedDeployment>& skipped) {
  std::map<std::string, int> by_why;
  std::vector<std::string> order;
  for (const auto& s : skipped)
    if (by_why[s.why]++ == 0) order.push_back(s.why);
  std::string out = std::to_string(skipped.size()) + " skipped (";
  for (std::size_t i = 0; i < order.size(); ++i) {
    if (i) out += ", ";
    if (order.size() > 1) out += std::to_string(by_why[order[i]]) + " ";
    out += order[i];
  }
  return out + ")";
}

}  // namespace

CheckSummary summarize_check(const ConfigResult& result, const std::string& path) {
  if (!result) {
    std::size_t errors = 0;
    for (const auto& i : result.error()) errors += i.warning ? 0 : 1;
    return {2,
            path + ": invalid: " + std::to_string(errors) + (errors == 1 ? " error" : " errors")};
  }
  const Config& c = *result;
  std::set<int> entries;  // a bare "*" model is one entry served by one deployment per provider
  std::set<std::string> models;
  for (const auto& d : c.deployments) {
    entries.insert(d.line);
    models.insert(d.model_name);
  }
  const std::size_t served = entries.size();
  const std::size_t declared = served + c.skipped.size();
  if (served == 0 && !c.skipped.empty())
    return {1, path + ": 0 of " + std::to_string(declared) +
                   " deployments can be served: " + skipped_text(c.skipped)};
  std::string line = path + ": ok (" + std::to_string(served) +
                     (served == 1 ? " deployment, " : " deployments, ") +
                     std::to_string(models.size()) + (models.size() == 1 ? " model" : " models");
  if (!c.skipped.empty())
    line += "; " + std::to_string(served) + " of " + std::to_string(declared) + " can be served, " +
            skipped_text(c.skipped);
  return {0, line + ")"};
}

}  // namespace fleetgate
