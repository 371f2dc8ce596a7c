#pragma once

// Which server of a cluster leads a stream, asked with the NATS C client directly.

#include <nats/nats.h>

#include <string>
#include <vector>

namespace nanofaas::test {

/// The name of the server leading `stream` ("node2"); empty if none answers.
inline std::string stream_leader(const std::vector<std::string>& urls, const char* stream) {
  std::string joined;
  for (const auto& url : urls) joined.append(joined.empty() ? "" : ",").append(url);
  natsConnection* nc = nullptr;
  jsCtx* js = nullptr;
  jsStreamInfo* info = nullptr;
  std::string leader;
  if (natsConnection_ConnectTo(&nc, joined.c_str()) == NATS_OK &&
      natsConnection_JetStream(&js, nc, nullptr) == NATS_OK &&
      js_GetStreamInfo(&info, js, stream, nullptr, nullptr) == NATS_OK &&
      info->Cluster != nullptr && info->Cluster->Leader != nullptr) {
    leader = info->Cluster->Leader;
  }
  jsStreamInfo_Destroy(info);
  jsCtx_Destroy(js);
  natsConnection_Destroy(nc);
  return leader;
}

}  // namespace nanofaas::test
