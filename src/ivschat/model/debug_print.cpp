#include "ivschat/model.hpp"
#include "ivschat/model/shape_info.hpp"
#include "ivschat/serde/json_writer.hpp"

#include <ostream>

namespace ivschat {

template <class T>
    requires is_model_shape<T>
std::ostream& operator<<(std::ostream& os, const T& value) {
    std::string text;
    detail::append_json_value(text, value, /*redact_sensitive=*/true);
    return os << text;
}

#define IVSCHAT_INSTANTIATE_PRINT(type) template std::ostream& operator<< <type>(std::ostream&, const type&);
IVSCHAT_FOR_EACH_MODEL_STRUCTURE(IVSCHAT_INSTANTIATE_PRINT)
IVSCHAT_FOR_EACH_MODEL_UNION(IVSCHAT_INSTANTIATE_PRINT)
#undef IVSCHAT_INSTANTIATE_PRINT

}  // namespace ivschat
