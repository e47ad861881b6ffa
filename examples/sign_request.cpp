// Signs a CreateChatToken request with credentials from the environment
// (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, optional AWS_SESSION_TOKEN and
// AWS_REGION) and prints the headers SigV4 adds.
#include <ivschat/sigv4.hpp>

#include <cstdlib>
#include <iostream>
#include <string>

int main() {
    auto env = [](const char* name, const char* fallback = "") {
        const char* v = std::getenv(name);
        return std::string(v ? v : fallback);
    };
    ivschat::credentials creds{env("AWS_ACCESS_KEY_ID"), env("AWS_SECRET_ACCESS_KEY"), env("AWS_SESSION_TOKEN"), {}};
    if (creds.empty()) {
        std::cerr << "sign_request: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY\n";
        return 1;
    }
    const std::string region = env("AWS_REGION", "us-west-2");
    const std::string host = "ivschat." + region + ".amazonaws.com";
    const std::string body = R"({"roomIdentifier":"arn:aws:ivschat:)" + region +
                             R"(:123456789012:room/g1H2I3j4k5L6","userId":"user-42"})";

    ivschat::sigv4::signer signer{{.region = region, .service = "ivschat"}};
    const ivschat::sigv4::header headers[] = {{"host", host}, {"content-type", "application/json"}};
    auto added = signer.sign({.method = "POST", .path = "/CreateChatToken", .headers = headers, .payload = body}, creds);

    std::cout << "POST /CreateChatToken HTTP/1.1\n"
              << "host: " << host << "\n"
              << "content-type: application/json\n"
              << "x-amz-date: " << added.x_amz_date << "\n";
    if (!added.x_amz_security_token.empty()) std::cout << "x-amz-security-token: <redacted>\n";
    std::cout << "authorization: " << added.authorization << "\n";
}
