// Turns parsed documents into the Cluster's typed views.
#pragma once

#include <cstdint>

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

}  // namespace ig
