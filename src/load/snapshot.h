// Turns parsed documents into the Cluster's typed views.
#pragma once

#include <cstdint>
#include <string_view>

#include "core/cluster.h"
#include "load/node.h"

namespace ig {

struct SnapshotCounts {
  size_t objects = 0;
  size_t skipped = 0;
};

// Adds the objects of one document (a single object or a kind: *List) to the
// cluster. Documents that are not Kubernetes objects are counted as skipped.
SnapshotCounts add_document(Cluster& cluster, uint32_t file, const Document& doc);

// Whether a document's kind makes it a list ("List", "ServiceList"), and the kind a typed list gives its
// items that omit theirs ("Service"; empty for "List" and for what is not a list).
bool is_list_kind(std::string_view kind);
std::string_view list_item_kind(std::string_view list_kind);

// Adds one item of a List read item by item (see json_stream.h). A typed list (DeploymentList) gives
// its items' kind and apiVersion when they omit them, as the API server does.
SnapshotCounts add_list_item(Cluster& cluster, uint32_t file, const Document& item, std::string_view default_kind,
                             std::string_view default_api_version);

}  // namespace ig
