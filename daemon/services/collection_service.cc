#include "daemon/services/collection_service.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/status_macros.h"
#include "common/files.h"
#include "common/limits.h"
#include "daemon/prompts/bundle.h"
#include "daemon/prompts/python_import.h"
#include "daemon/services/guarded.h"

namespace aix {

void CollectionServiceImpl::ToProto(const prompts::Collection& c, v1::Collection* out) const {
  out->set_name(c.name);
  out->set_description(c.description);
  out->set_author(c.author);
  for (const std::string& t : c.tags) out->add_tags(t);
  if (c.system) out->set_system_prompt(*c.system);
  for (const std::string& p : c.prompts) {
    out->add_prompts(p);
    if (!prompts_->Get(p).ok()) out->add_missing_prompts(p);
  }
  out->set_created_unix_ms(absl::ToUnixMillis(c.created));
  out->set_updated_unix_ms(absl::ToUnixMillis(c.updated));
  out->set_loaded(collections_->Loaded() == c.name);
}

absl::StatusOr<prompts::Collection> CollectionServiceImpl::Named(const std::string& name) const {
  if (!name.empty()) return collections_->Get(name);
  std::optional<std::string> loaded = collections_->Loaded();
  if (!loaded) {
    return absl::InvalidArgumentError(
        "no collection is loaded; name one (-c NAME), or load one: aix collection load NAME");
  }
  return collections_->Get(*loaded);
}

absl::Status CollectionServiceImpl::CheckPromptsExist(const std::vector<std::string>& names) const {
  std::vector<std::string> missing;
  for (const std::string& n : names) {
    absl::Status s = prompts_->Get(n).status();
    if (s.code() == absl::StatusCode::kNotFound || s.code() == absl::StatusCode::kInvalidArgument) {
      missing.push_back(n);
    }
  }
  if (missing.empty()) return absl::OkStatus();
  return absl::NotFoundError(absl::StrCat("no prompt named ", absl::StrJoin(missing, ", "),
                                          "; see what exists with: aix list --all"));
}

grpc::Status CollectionServiceImpl::CreateCollection(grpc::ServerContext* context,
                                                     const v1::CreateCollectionRequest* request,
                                                     v1::Collection* response) {
  return Guarded(*peers_, context, [&]() -> absl::Status {
    const v1::Collection& in = request->collection();
    prompts::Collection c;
    c.name = in.name();
    c.description = in.description();
    c.author = in.author();
    c.tags.assign(in.tags().begin(), in.tags().end());
    if (in.has_system_prompt()) c.system = in.system_prompt();
    for (const std::string& p : in.prompts()) {
      if (std::find(c.prompts.begin(), c.prompts.end(), p) == c.prompts.end()) c.prompts.push_back(p);
    }
    AIX_RETURN_IF_ERROR(CheckPromptsExist(c.prompts));
    AIX_ASSIGN_OR_RETURN(c, collections_->Create(std::move(c)));
    ToProto(c, response);
    return absl::OkStatus();
  });
}

grpc::Status CollectionServiceImpl::ListCollections(grpc::ServerContext* context,
                                                    const v1::ListCollectionsRequest*,
                                                    v1::ListCollectionsResponse* response) {
  return Guarded(*peers_, context, [&] {
    std::vector<absl::Status> problems;
    for (const prompts::Collection& c : collections_->List(&problems)) {
      ToProto(c, response->add_collections());
    }
    for (const absl::Status& s : problems) response->add_problems(std::string(s.message()));
    return absl::OkStatus();
  });
}

grpc::Status CollectionServiceImpl::GetCollection(grpc::ServerContext* context,
                                                  const v1::GetCollectionRequest* request,
                                                  v1::Collection* response) {
  return Guarded(*peers_, context, [&]() -> absl::Status {
    AIX_ASSIGN_OR_RETURN(prompts::Collection c, Named(request->name()));
    ToProto(c, response);
    return absl::OkStatus();
  });
}

grpc::Status CollectionServiceImpl::DeleteCollection(grpc::ServerContext* context,
                                                     const v1::DeleteCollectionRequest* request,
                                                     v1::DeleteCollectionResponse*) {
  return Guarded(*peers_, context, [&] { return collections_->Delete(request->name()); });
}

grpc::Status CollectionServiceImpl::AddPrompts(grpc::ServerContext* context,
                                               const v1::ChangePromptsRequest* request,
                                               v1::Collection* response) {
  return Guarded(*peers_, context, [&]() -> absl::Status {
    AIX_ASSIGN_OR_RETURN(prompts::Collection c, Named(request->collection()));
    std::vector<std::string> names(request->prompts().begin(), request->prompts().end());
    AIX_RETURN_IF_ERROR(CheckPromptsExist(names));
    for (const std::string& p : names) {
      if (std::find(c.prompts.begin(), c.prompts.end(), p) == c.prompts.end()) c.prompts.push_back(p);
    }
    AIX_ASSIGN_OR_RETURN(c, collections_->Put(std::move(c)));
    ToProto(c, response);
    return absl::OkStatus();
  });
}

grpc::Status CollectionServiceImpl::RemovePrompts(grpc::ServerContext* context,
                                                  const v1::ChangePromptsRequest* request,
                                                  v1::Collection* response) {
  return Guarded(*peers_, context, [&]() -> absl::Status {
    AIX_ASSIGN_OR_RETURN(prompts::Collection c, Named(request->collection()));
    std::vector<std::string> absent;
    for (const std::string& p : request->prompts()) {
      auto it = std::find(c.prompts.begin(), c.prompts.end(), p);
      if (it == c.prompts.end()) {
        absent.push_back(p);
      } else {
        c.prompts.erase(it);
      }
    }
    if (!absent.empty()) {
      return absl::NotFoundError(absl::StrCat(absl::StrJoin(absent, ", "), " ",
                                              absent.size() > 1 ? "are" : "is", " not in ",
                                              c.name, "; see: aix collection info ", c.name));
    }
    AIX_ASSIGN_OR_RETURN(c, collections_->Put(std::move(c)));
    ToProto(c, response);
    return absl::OkStatus();
  });
}

grpc::Status CollectionServiceImpl::LoadCollection(grpc::ServerContext* context,
                                                   const v1::LoadCollectionRequest* request,
                                                   v1::Collection* response) {
  return Guarded(*peers_, context, [&]() -> absl::Status {
    AIX_RETURN_IF_ERROR(collections_->Load(request->name()));
    AIX_ASSIGN_OR_RETURN(prompts::Collection c, collections_->Get(request->name()));
    ToProto(c, response);
    return absl::OkStatus();
  });
}

grpc::Status CollectionServiceImpl::UnloadCollection(grpc::ServerContext* context,
                                                     const v1::UnloadCollectionRequest*,
                                                     v1::UnloadCollectionResponse* response) {
  return Guarded(*peers_, context, [&]() -> absl::Status {
    if (std::optional<std::string> loaded = collections_->Loaded()) response->set_unloaded(*loaded);
    return collections_->Unload();
  });
}

grpc::Status CollectionServiceImpl::ExportCollection(grpc::ServerContext* context,
                                                     const v1::ExportCollectionRequest* request,
                                                     v1::ExportCollectionResponse* response) {
  return Guarded(*peers_, context, [&]() -> absl::Status {
    AIX_ASSIGN_OR_RETURN(prompts::Collection c, Named(request->name()));
    std::vector<prompts::Prompt> ps;
    std::vector<std::string> kept;
    for (const std::string& name : c.prompts) {
      auto p = prompts_->Get(name);
      if (p.status().code() == absl::StatusCode::kNotFound) continue;  // gone: not exported
      AIX_RETURN_IF_ERROR(p.status());
      ps.push_back(*std::move(p));
      kept.push_back(name);
    }
    c.prompts = kept;
    AIX_ASSIGN_OR_RETURN(std::string bundle, prompts::WriteBundle(c, ps));
    response->set_bundle(std::move(bundle));
    response->set_file_name(absl::StrCat(c.name, "-bundle.tar.gz"));
    return absl::OkStatus();
  });
}

grpc::Status CollectionServiceImpl::ImportCollection(grpc::ServerContext* context,
                                                     const v1::ImportCollectionRequest* request,
                                                     v1::ImportCollectionResponse* response) {
  return Guarded(*peers_, context, [&]() -> absl::Status {
    const std::string source = request->source().empty() ? "import" : request->source();
    AIX_ASSIGN_OR_RETURN(prompts::ImportSet set, prompts::ReadImport(request->data(), source));
    AIX_RETURN_IF_ERROR(
        prompts::ApplyImport(set, source, request->overwrite(), prompts_, collections_));
    AIX_ASSIGN_OR_RETURN(prompts::Collection c, collections_->Get(set.collection.name));
    ToProto(c, response->mutable_collection());
    for (const std::string& line : set.report) response->add_report(line);
    return absl::OkStatus();
  });
}

grpc::Status CollectionServiceImpl::MigratePythonLibrary(
    grpc::ServerContext* context, const v1::MigratePythonLibraryRequest* request,
    v1::MigratePythonLibraryResponse* response) {
  return Guarded(*peers_, context, [&]() -> absl::Status {
    const bool dry = request->dry_run();
    AIX_ASSIGN_OR_RETURN(std::vector<std::string> config_report, config_->MigrateFromPython(dry));
    response->set_config_migrated(!config_report.empty());
    for (const std::string& line : config_report) response->add_report(line);
    for (const std::string& file : collections_->PythonFiles()) {
      auto text = ReadRegularFile(file, kMaxRequestBytes);
      absl::StatusOr<prompts::ImportSet> set =
          text.ok() ? prompts::ParsePythonCollection(*text, file)
                    : absl::StatusOr<prompts::ImportSet>(text.status());
      if (!set.ok()) {
        response->add_report(absl::StrCat(file, ": not imported: ", set.status().message()));
        continue;
      }
      for (const std::string& line : set->report) response->add_report(line);
      if (!dry) {
        // The user's own prompts: no origin, so their commands run as before.
        absl::Status applied = prompts::ApplyImport(*set, "", false, prompts_, collections_);
        if (!applied.ok()) {
          response->add_report(absl::StrCat(file, ": not imported: ", applied.message()));
          continue;
        }
      }
      response->add_collections(set->collection.name);
      response->set_prompts(response->prompts() + static_cast<int32_t>(set->prompts.size()));
    }
    if (!dry) collections_->MarkPythonMigrated();
    return absl::OkStatus();
  });
}

}  // namespace aix
