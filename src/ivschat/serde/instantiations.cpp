// The serde templates for every model type, compiled once here instead of in
// each translation unit that uses them (the headers declare them extern).
#include "ivschat/serde/json_reader.hpp"
#include "ivschat/serde/json_writer.hpp"
#include "ivschat/serde/request_target.hpp"
#include "ivschat/serde/validation.hpp"

namespace ivschat::detail {

#define IVSCHAT_INSTANTIATE_STRUCTURE(type)                                  \
    template bool parse_json<type>(std::string_view, type&, error_info&); \
    template void write_json<type>(const type&, std::string&);
IVSCHAT_FOR_EACH_MODEL_STRUCTURE(IVSCHAT_INSTANTIATE_STRUCTURE)
#undef IVSCHAT_INSTANTIATE_STRUCTURE

#define IVSCHAT_INSTANTIATE_REQUEST(type)                                        \
    template void write_json_body<type>(const type&, std::string&);             \
    template std::optional<validation_exception> validate<type>(const type&);   \
    template void write_request_target<type>(const type&, std::string&);        \
    template bool read_request_target<type>(std::string_view, type&);
IVSCHAT_FOR_EACH_OPERATION_REQUEST(IVSCHAT_INSTANTIATE_REQUEST)
#undef IVSCHAT_INSTANTIATE_REQUEST

}  // namespace ivschat::detail
