#include "daemon/services/prompt_service.h"

#include <algorithm>

#include "common/files.h"
#include "common/status_macros.h"
#include "common/template.h"
#include "daemon/services/guarded.h"

namespace aix {
namespace {

prompts::Prompt FromProto(const v1::Prompt& in) {
  prompts::Prompt p;
  p.name = in.name();
  p.template_text = in.template_();
  p.description = in.description();
  p.tags.assign(in.tags().begin(), in.tags().end());
  if (in.has_provider()) p.provider = in.provider();
  if (in.has_model()) p.model = in.model();
  if (in.has_system()) p.system = in.system();
  if (in.has_max_tokens()) p.max_tokens = in.max_tokens();
  if (in.has_temperature()) p.temperature = in.temperature();
  p.fallback.assign(in.fallback().begin(), in.fallback().end());
  return p;
}

}  // namespace

void PromptServiceImpl::ToProto(const prompts::Prompt& p, v1::Prompt* out) const {
  out->set_name(p.name);
  out->set_template_(p.template_text);
  out->set_description(p.description);
  for (const std::string& t : p.tags) out->add_tags(t);
  out->set_created_unix_ms(absl::ToUnixMillis(p.created));
  out->set_updated_unix_ms(absl::ToUnixMillis(p.updated));
  if (p.provider) out->set_provider(*p.provider);
  if (p.model) out->set_model(*p.model);
  if (p.system) out->set_system(*p.system);
  if (p.max_tokens) out->set_max_tokens(*p.max_tokens);
  if (p.temperature) out->set_temperature(*p.temperature);
  auto t = prompts::Template::Parse(p.template_text);
  if (t.ok()) {
    for (const std::string& v : t->variables()) out->add_variables(v);
    for (const std::string& c : t->CommandSources()) out->add_commands(c);
  }
  out->set_path(store_->PathOf(p.name));
  out->set_origin(p.origin.value_or(""));
  out->set_commands_trusted(prompts::CommandsTrusted(p));
  for (const std::string& f : p.fallback) out->add_fallback(f);
}

grpc::Status PromptServiceImpl::CreatePrompt(grpc::ServerContext* context,
                                             const v1::CreatePromptRequest* request,
                                             v1::Prompt* response) {
  return Guarded(*peers_, context, [&]() -> absl::Status {
    AIX_ASSIGN_OR_RETURN(auto p, store_->Create(FromProto(request->prompt())));
    ToProto(p, response);
    return absl::OkStatus();
  });
}

grpc::Status PromptServiceImpl::GetPrompt(grpc::ServerContext* context,
                                          const v1::GetPromptRequest* request,
                                          v1::Prompt* response) {
  return Guarded(*peers_, context, [&]() -> absl::Status {
    AIX_ASSIGN_OR_RETURN(auto p, store_->Get(request->name()));
    ToProto(p, response);
    if (request->brief()) {
      response->clear_template_();
      return absl::OkStatus();
    }
    AIX_ASSIGN_OR_RETURN(std::string yaml, ReadRegularFile(store_->PathOf(p.name), prompts::kMaxPromptFileBytes));
    response->set_yaml(yaml);
    return absl::OkStatus();
  });
}

grpc::Status PromptServiceImpl::ListPrompts(grpc::ServerContext* context,
                                            const v1::ListPromptsRequest* request,
                                            v1::ListPromptsResponse* response) {
  return Guarded(*peers_, context, [&] {
    // A loaded collection limits the listing to its prompts.
    std::vector<std::string> scope;
    bool scoped = false;
    if (std::optional<std::string> loaded = collections_->Loaded(); loaded && !request->all()) {
      auto c = collections_->Get(*loaded);
      if (c.ok()) {
        scoped = true;
        scope = c->prompts;
        response->set_collection(*loaded);
      }
    }
    response->set_python_library_found(collections_->PythonUnmigrated());
    std::vector<absl::Status> problems;
    for (const auto& p : store_->List(request->tag(), &problems)) {
      if (scoped && std::find(scope.begin(), scope.end(), p.name) == scope.end()) continue;
      v1::Prompt* out = response->add_prompts();
      ToProto(p, out);
      out->clear_template_();
    }
    for (const auto& s : problems) response->add_problems(std::string(s.message()));
    return absl::OkStatus();
  });
}

grpc::Status PromptServiceImpl::ReplacePromptYaml(
    grpc::ServerContext* context, const v1::ReplacePromptYamlRequest* request,
    v1::Prompt* response) {
  return Guarded(*peers_, context, [&]() -> absl::Status {
    AIX_ASSIGN_OR_RETURN(auto p, store_->ReplaceYaml(request->name(), request->yaml()));
    ToProto(p, response);
    return absl::OkStatus();
  });
}

grpc::Status PromptServiceImpl::DeletePrompt(grpc::ServerContext* context,
                                             const v1::DeletePromptRequest* request,
                                             v1::DeletePromptResponse*) {
  return Guarded(*peers_, context, [&] { return store_->Delete(request->name()); });
}

grpc::Status PromptServiceImpl::TrustPrompt(grpc::ServerContext* context,
                                            const v1::TrustPromptRequest* request,
                                            v1::Prompt* response) {
  return Guarded(*peers_, context, [&]() -> absl::Status {
    AIX_ASSIGN_OR_RETURN(prompts::Prompt p, store_->Get(request->name()));
    std::string digest = prompts::TrustDigest(p);
    if (digest.empty()) {
      p.trusted_commands.reset();
    } else {
      p.trusted_commands = digest;
    }
    AIX_ASSIGN_OR_RETURN(p, store_->Update(std::move(p)));
    ToProto(p, response);
    return absl::OkStatus();
  });
}

}  // namespace aix
