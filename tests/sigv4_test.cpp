#include <gtest/gtest.h>

#include <chrono>
#include <latch>
#include <string>
#include <thread>
#include <vector>

#include "http/sigv4_canonical.hpp"
#include "http/sigv4_signer.hpp"
#include "http/sigv4_verifier.hpp"

namespace {

using nanofaas::AccessKey;
using nanofaas::http::HeaderField;
using nanofaas::http::SignedRequest;
using nanofaas::http::SigV4Verifier;
namespace sigv4 = nanofaas::http::sigv4;
using Time = std::chrono::system_clock::time_point;

constexpr std::string_view example_id = "AKIDEXAMPLE";
constexpr std::string_view example_secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
constexpr std::string_view empty_hash =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
constexpr std::string_view arn_target =
    "/2015-03-31/functions/arn%3Aaws%3Alambda%3Aus-east-1%3A123456789012%3Afunction%3Aecho/"
    "invocations?Qualifier=%24LATEST";
constexpr std::string_view body = R"({"hello":"world"})";

Time at(std::string_view amz_date) {
  return sigv4::parse_amz_date(amz_date).value();
}

AccessKey example_key() {
  return {std::string(example_id), std::string(example_secret),
          "arn:aws:iam::123456789012:user/ci"};
}

// AWS's published "get-vanilla" example (service "service", us-east-1).
TEST(SigV4CanonicalTest, AwsGetVanillaExample) {
  const SignedRequest request{
      "GET", "/", {{"Host", "example.amazonaws.com"}, {"X-Amz-Date", "20150830T123600Z"}}, ""};
  const std::string canonical = sigv4::canonical_request(request, "host;x-amz-date", empty_hash);
  EXPECT_EQ(canonical,
            "GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\n"
            "host;x-amz-date\n" +
                std::string(empty_hash));
  const std::string to_sign = sigv4::string_to_sign(
      "20150830T123600Z", "20150830/us-east-1/service/aws4_request", canonical);
  EXPECT_EQ(to_sign,
            "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\n"
            "bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63");
  const auto key = sigv4::signing_key(example_secret, "20150830", "us-east-1", "service");
  EXPECT_EQ(sigv4::signature(key, to_sign),
            "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
}

// AWS's published IAM ListUsers example.
TEST(SigV4CanonicalTest, AwsIamListUsersExample) {
  const SignedRequest request{"GET",
                              "/?Action=ListUsers&Version=2010-05-08",
                              {{"Host", "iam.amazonaws.com"},
                               {"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"},
                               {"X-Amz-Date", "20150830T123600Z"}},
                              ""};
  const std::string canonical =
      sigv4::canonical_request(request, "content-type;host;x-amz-date", empty_hash);
  EXPECT_EQ(canonical,
            "GET\n/\nAction=ListUsers&Version=2010-05-08\n"
            "content-type:application/x-www-form-urlencoded; charset=utf-8\n"
            "host:iam.amazonaws.com\nx-amz-date:20150830T123600Z\n\n"
            "content-type;host;x-amz-date\n" +
                std::string(empty_hash));
  const std::string to_sign =
      sigv4::string_to_sign("20150830T123600Z", "20150830/us-east-1/iam/aws4_request", canonical);
  EXPECT_TRUE(
      to_sign.ends_with("f536975d06c0309214f805bb90ccff089219ecd68b2577efef23edd43b7e1a59"));
  const auto key = sigv4::signing_key(example_secret, "20150830", "us-east-1", "iam");
  EXPECT_EQ(nanofaas::http::to_hex(key),
            "c4afb1cc5771d871763a393e44b703571b55cc28424d1a5e86da6ed3c154a4b9");
  EXPECT_EQ(sigv4::signature(key, to_sign),
            "5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7");
}

// Produced by botocore 2.9.19 (Debian's awscli): SigV4Auth(Credentials(AKIDEXAMPLE, ...),
// "lambda", "us-east-1") on AWSRequest("POST", "http://localhost:9001" + arn_target, ...) with
// context["timestamp"] = "20260101T000000Z", then canonical_request / string_to_sign /
// signature: the path is encoded a second time.
TEST(SigV4CanonicalTest, BotocoreInvokeByArn) {
  const SignedRequest request{"POST",
                              arn_target,
                              {{"Host", "localhost:9001"},
                               {"X-Amz-Invocation-Type", "RequestResponse"},
                               {"X-Amz-Log-Type", "None"},
                               {"Content-Type", "application/json"},
                               {"X-Amz-Date", "20260101T000000Z"}},
                              body};
  const std::string signed_headers =
      "content-type;host;x-amz-date;x-amz-invocation-type;x-amz-log-type";
  const std::string canonical = sigv4::canonical_request(
      request, signed_headers, nanofaas::http::to_hex(nanofaas::http::sha256(body)));
  EXPECT_EQ(canonical,
            "POST\n/2015-03-31/functions/"
            "arn%253Aaws%253Alambda%253Aus-east-1%253A123456789012%253Afunction%253Aecho/"
            "invocations\nQualifier=%24LATEST\ncontent-type:application/json\n"
            "host:localhost:9001\nx-amz-date:20260101T000000Z\n"
            "x-amz-invocation-type:RequestResponse\nx-amz-log-type:None\n\n" +
                signed_headers +
                "\n93a23971a914e5eacbf0a8d25154cda309c3c1c72fbb9914d47c60f3cb681588");
  const std::string to_sign = sigv4::string_to_sign(
      "20260101T000000Z", "20260101/us-east-1/lambda/aws4_request", canonical);
  EXPECT_TRUE(
      to_sign.ends_with("1bba0103e8283dfd61a6b33d1eaa57feff0ad80d995e4b21c1719c05c093a7d6"));
  EXPECT_EQ(sigv4::signature(sigv4::signing_key(example_secret, "20260101", "us-east-1", "lambda"),
                             to_sign),
            "3969c5587de1a025185016d74d247e847d1f9f2175966065ab520bc01f374290");
}

// The same botocore normalisation: empty and "." segments dropped, ".." applied.
TEST(SigV4CanonicalTest, UriIsNormalisedAndEncodedAgain) {
  EXPECT_EQ(sigv4::canonical_uri("/2015-03-31//functions/./x/../echo/"),
            "/2015-03-31/functions/echo/");
  EXPECT_EQ(sigv4::canonical_uri(""), "/");
  EXPECT_EQ(sigv4::canonical_uri("/"), "/");
  EXPECT_EQ(sigv4::canonical_uri("/../a"), "/a");
  EXPECT_EQ(sigv4::canonical_uri("/a%20b/c~d$"), "/a%2520b/c~d%24");
}

// botocore: GET ...?MaxItems=10&Marker=a%20b%2Fc&FunctionVersion=ALL.
TEST(SigV4CanonicalTest, QueryIsSortedAndReencoded) {
  EXPECT_EQ(sigv4::canonical_query("MaxItems=10&Marker=a%20b%2Fc&FunctionVersion=ALL"),
            "FunctionVersion=ALL&Marker=a%20b%2Fc&MaxItems=10");
  EXPECT_EQ(sigv4::canonical_query("b=2&a=z&a=y&flag&c=$x%zz"), "a=y&a=z&b=2&c=%24x%25zz&flag=");
  EXPECT_EQ(sigv4::canonical_query(""), "");
}

TEST(SigV4CanonicalTest, HeaderValuesTrimmedAndRepeatsJoined) {
  const std::vector<HeaderField> headers{{"X-Amz-Client-Context", "  e30=   x  "},
                                         {"Host", "h"},
                                         {"x-multi", "a"},
                                         {"X-Multi", " b c "}};
  EXPECT_EQ(sigv4::canonical_headers(headers, "host;x-amz-client-context;x-multi"),
            "host:h\nx-amz-client-context:e30= x\nx-multi:a,b c\n");
}

TEST(SigV4CanonicalTest, AmzDateRoundTrips) {
  EXPECT_EQ(sigv4::format_amz_date(at("20261205T000305Z")), "20261205T000305Z");
  EXPECT_FALSE(sigv4::parse_amz_date("2026-12-05T00:03:05Z"));
  EXPECT_FALSE(sigv4::parse_amz_date("20260231T000000Z"));
  EXPECT_FALSE(sigv4::parse_amz_date("20260101T240000Z"));
}

// botocore, as for BotocoreInvokeByArn, on POST /2015-03-31/functions/echo/invocations with
// the headers below.
TEST(SigV4SignerTest, MatchesBotocore) {
  const SignedRequest arn{"POST",
                          arn_target,
                          {{"Host", "localhost:9001"},
                           {"X-Amz-Invocation-Type", "RequestResponse"},
                           {"X-Amz-Log-Type", "None"},
                           {"Content-Type", "application/json"}},
                          body};
  auto signed_arn =
      nanofaas::http::sigv4_sign(arn, example_key(), "us-east-1", at("20260101T000000Z"));
  EXPECT_EQ(signed_arn.amz_date, "20260101T000000Z");
  EXPECT_EQ(signed_arn.authorization,
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/us-east-1/lambda/aws4_request, "
            "SignedHeaders=content-type;host;x-amz-date;x-amz-invocation-type;x-amz-log-type, "
            "Signature=3969c5587de1a025185016d74d247e847d1f9f2175966065ab520bc01f374290");

  const SignedRequest echo{"POST",
                           "/2015-03-31/functions/echo/invocations",
                           {{"Host", "localhost:9001"},
                            {"X-Amz-Client-Context", "  e30=   x  "},
                            {"User-Agent", "unsigned"}},
                           body};
  EXPECT_EQ(nanofaas::http::sigv4_sign(echo, example_key(), "us-east-1", at("20260101T000000Z"))
                .authorization,
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/us-east-1/lambda/aws4_request, "
            "SignedHeaders=host;x-amz-client-context;x-amz-date, "
            "Signature=d1eef580453a9100b1cf175bc7028dcf4e4624984377d04802975b730e46b754");
}

// Requests sent by the aws CLI 2.9.19 (`aws lambda invoke --function-name <arn> --qualifier
// '$LATEST' --payload '{"hello":"world"}'`, and `--function-name echo`) to a local listener,
// with the key AKIDEXAMPLE: every header as received.
SignedRequest cli_request(std::string_view target, std::string_view authorization) {
  return {"POST",
          target,
          {{"Host", "127.0.0.1:19471"},
           {"Accept-Encoding", "identity"},
           {"User-Agent",
            "aws-cli/2.9.19 Python/3.11.2 Linux/6.18.44-fc-v1252 source/x86_64.debian.12 "
            "prompt/off command/lambda.invoke"},
           {"X-Amz-Date", "20261205T000305Z"},
           {"Authorization", authorization},
           {"Content-Length", "17"}},
          body};
}

SignedRequest cli_arn_request() {
  return cli_request(arn_target,
                     "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261205/us-east-1/lambda/"
                     "aws4_request, SignedHeaders=host;x-amz-date, "
                     "Signature=f8533cc4535094b3fa16470ec34ea1b507857a5abc7341e39ad847255e40a7ad");
}

const Time cli_now = at("20261205T000305Z") + std::chrono::seconds(1);

TEST(SigV4VerifierTest, AcceptsTheAwsCli) {
  const SigV4Verifier verifier({{"OTHER", "other-secret", "other"}, example_key()});
  const auto by_arn = verifier.verify(cli_arn_request(), cli_now);
  ASSERT_TRUE(by_arn) << by_arn.error().message;
  EXPECT_EQ(by_arn.value()->principal, "arn:aws:iam::123456789012:user/ci");
  const auto by_name = verifier.verify(
      cli_request("/2015-03-31/functions/echo/invocations",
                  "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261205/us-east-1/lambda/"
                  "aws4_request, SignedHeaders=host;x-amz-date, "
                  "Signature=e96ecd37b954e043fd43f460de9b9fbdf74f13eaeba1de9bc6ada19e904d19c6"),
      cli_now);
  ASSERT_TRUE(by_name) << by_name.error().message;
  // Again, from the cached signing key.
  EXPECT_TRUE(verifier.verify(cli_arn_request(), cli_now));
}

// A request sent by @aws-sdk/client-lambda 3.1178 (InvokeCommand with the ARN, Qualifier
// "$LATEST" and the same payload, key AKIDEXAMPLE) to a local listener, as received: it signs
// x-amz-content-sha256 and its own headers too.
TEST(SigV4VerifierTest, AcceptsTheJsSdk) {
  const SigV4Verifier verifier({example_key()});
  const SignedRequest request{
      "POST",
      arn_target,
      {{"content-type", "application/octet-stream"},
       {"content-length", "17"},
       {"x-amz-user-agent", "aws-sdk-js/3.1177.0"},
       {"user-agent",
        "aws-sdk-js/3.1177.0 ua/2.1 os/linux#6.18.44-fc-v1252 lang/js md/nodejs#20.20.2 "
        "api/lambda#3.1177.0 m/N,E,e"},
       {"host", "127.0.0.1:19472"},
       {"amz-sdk-invocation-id", "fceefcec-6895-4474-b3bf-a89acaa6b90c"},
       {"amz-sdk-request", "attempt=1; max=1"},
       {"x-amz-date", "20261205T001126Z"},
       {"x-amz-content-sha256", "93a23971a914e5eacbf0a8d25154cda309c3c1c72fbb9914d47c60f3cb681588"},
       {"authorization",
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261205/us-east-1/lambda/aws4_request, "
        "SignedHeaders=amz-sdk-invocation-id;amz-sdk-request;content-length;content-type;host;"
        "x-amz-content-sha256;x-amz-date;x-amz-user-agent, "
        "Signature=973671d47b530a04ce417d2acb37cdfd58570c0d2aedb3d8703621596aad94e5"},
       {"Connection", "keep-alive"}},
      body};
  const auto result = verifier.verify(request, at("20261205T001126Z"));
  ASSERT_TRUE(result) << result.error().message;
  EXPECT_EQ(result.value()->id, example_id);
}

// A request signed by sigv4_sign with `extra` headers, as sent.
SignedRequest signed_request(std::vector<HeaderField> extra, std::string_view sent_body, Time when,
                             std::string& authorization, std::string& date) {
  SignedRequest request{"POST", arn_target, {{"Host", "localhost:9001"}}, body};
  request.headers.insert(request.headers.end(), extra.begin(), extra.end());
  auto added = nanofaas::http::sigv4_sign(request, example_key(), "eu-west-3", when);
  authorization = std::move(added.authorization);
  date = std::move(added.amz_date);
  request.headers.emplace_back("X-Amz-Date", date);
  request.headers.emplace_back("Authorization", authorization);
  request.body = sent_body;
  return request;
}

TEST(SigV4VerifierTest, ChecksAContentHashHeader) {
  const SigV4Verifier verifier({example_key()});
  const Time now = at("20260101T000000Z");
  std::string auth;
  std::string date;
  const std::string hash = nanofaas::http::to_hex(nanofaas::http::sha256(body));
  EXPECT_TRUE(verifier.verify(
      signed_request({{"X-Amz-Content-Sha256", hash}}, body, now, auth, date), now));
  // UNSIGNED-PAYLOAD, signed, leaves the body out.
  EXPECT_TRUE(verifier.verify(
      signed_request({{"x-amz-content-sha256", "UNSIGNED-PAYLOAD"}}, "other", now, auth, date),
      now));
  const auto mismatch =
      verifier.verify(signed_request({{"X-Amz-Content-Sha256", hash}}, "{}", now, auth, date), now);
  ASSERT_FALSE(mismatch);
  EXPECT_EQ(mismatch.error().type, "InvalidSignatureException");
  EXPECT_EQ(mismatch.error().message,
            "The provided 'x-amz-content-sha256' header does not match what was computed.");
}

constexpr std::string_view mismatch_message =
    "The request signature we calculated does not match the signature you provided. Check your "
    "AWS Secret Access Key and signing method. Consult the service documentation for details.";

void expect_failure(const SigV4Verifier& verifier, const SignedRequest& request, Time now,
                    std::string_view type, std::string_view message) {
  const auto result = verifier.verify(request, now);
  ASSERT_FALSE(result) << "accepted; expected " << type;
  EXPECT_EQ(result.error().type, type);
  EXPECT_EQ(result.error().message, message);
}

// The CLI's request with header `name` set to `value` (or removed, if `value` is empty).
SignedRequest with_header(SignedRequest request, std::string_view name, std::string_view value) {
  std::erase_if(request.headers, [&](const HeaderField& field) {
    return sigv4::same_header_name(field.first, name);
  });
  if (!value.empty()) request.headers.emplace_back(name, value);
  return request;
}

std::string cli_authorization(std::string_view credential, std::string_view signed_headers,
                              std::string_view signature) {
  return "AWS4-HMAC-SHA256 Credential=" + std::string(credential) +
         ", SignedHeaders=" + std::string(signed_headers) + ", Signature=" + std::string(signature);
}

constexpr std::string_view cli_credential = "AKIDEXAMPLE/20261205/us-east-1/lambda/aws4_request";
constexpr std::string_view cli_signature =
    "f8533cc4535094b3fa16470ec34ea1b507857a5abc7341e39ad847255e40a7ad";

TEST(SigV4VerifierTest, RefusesAnUnsignedRequest) {
  const SigV4Verifier verifier({example_key()});
  expect_failure(verifier, with_header(cli_arn_request(), "Authorization", ""), cli_now,
                 "MissingAuthenticationTokenException", "Missing Authentication Token");
}

TEST(SigV4VerifierTest, RefusesAMalformedAuthorization) {
  const SigV4Verifier verifier({example_key()});
  const auto request = cli_arn_request();
  expect_failure(verifier, with_header(request, "Authorization", "Bearer abc"), cli_now,
                 "IncompleteSignatureException",
                 "Authorization header requires 'Credential' parameter. Authorization header "
                 "requires 'Signature' parameter. Authorization header requires 'SignedHeaders' "
                 "parameter.");
  const std::string no_signature = "AWS4-HMAC-SHA256 Credential=" + std::string(cli_credential) +
                                   ", SignedHeaders=host;x-amz-date";
  expect_failure(verifier, with_header(request, "Authorization", no_signature), cli_now,
                 "IncompleteSignatureException",
                 "Authorization header requires 'Signature' parameter.");
  const std::string no_equals = "AWS4-HMAC-SHA256 Credential " + std::string(cli_credential);
  expect_failure(verifier, with_header(request, "Authorization", no_equals), cli_now,
                 "IncompleteSignatureException",
                 "'Credential " + std::string(cli_credential) +
                     "' not a valid key=value pair (missing equal-sign) in Authorization "
                     "header: '" +
                     no_equals + "'.");
  expect_failure(verifier, with_header(request, "X-Amz-Date", ""), cli_now,
                 "IncompleteSignatureException",
                 "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' "
                 "header.");
}

TEST(SigV4VerifierTest, RequiresHostAndDateSigned) {
  const SigV4Verifier verifier({example_key()});
  const auto request = cli_arn_request();
  expect_failure(verifier,
                 with_header(request, "Authorization",
                             cli_authorization(cli_credential, "x-amz-date", cli_signature)),
                 cli_now, "IncompleteSignatureException",
                 "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.");
  expect_failure(verifier,
                 with_header(request, "Authorization",
                             cli_authorization(cli_credential, "host", cli_signature)),
                 cli_now, "IncompleteSignatureException",
                 "'X-Amz-Date' must be a 'SignedHeader' in the AWS Authorization.");
  expect_failure(
      verifier,
      with_header(request, "Authorization",
                  cli_authorization(cli_credential, "host;x-amz-date;x-extra", cli_signature)),
      cli_now, "IncompleteSignatureException",
      "'x-extra' is named as a SignedHeader, but it does not exist in the HTTP "
      "request.");
  expect_failure(verifier, with_header(request, "X-Amz-Date", "2026-12-05T00:03:05Z"), cli_now,
                 "IncompleteSignatureException",
                 "Date must be in ISO-8601 'basic format'. Got '2026-12-05T00:03:05Z'.");
}

TEST(SigV4VerifierTest, RefusesABadCredentialScope) {
  const SigV4Verifier verifier({example_key()});
  std::string authorization;  // the request views it
  const auto with_credential = [&](std::string_view credential) {
    authorization = cli_authorization(credential, "host;x-amz-date", cli_signature);
    return with_header(cli_arn_request(), "Authorization", authorization);
  };
  expect_failure(verifier, with_credential("AKIDEXAMPLE/20261205/us-east-1/s3/aws4_request"),
                 cli_now, "IncompleteSignatureException",
                 "Credential should be scoped to correct service: 'lambda'.");
  expect_failure(verifier, with_credential("AKIDEXAMPLE/20261205/us-east-1/lambda/aws4"), cli_now,
                 "IncompleteSignatureException",
                 "Credential should be scoped with a valid terminator: 'aws4_request', not "
                 "'aws4'.");
  expect_failure(verifier, with_credential("AKIDEXAMPLE/20261204/us-east-1/lambda/aws4_request"),
                 cli_now, "IncompleteSignatureException",
                 "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of "
                 "date from HTTP: '20261204' != '20261205', from '20261205T000305Z'.");
  expect_failure(verifier, with_credential("AKIDEXAMPLE/20261205/lambda/aws4_request"), cli_now,
                 "IncompleteSignatureException",
                 "Credential should have 5 slash-separated parts (access key id, date, region, "
                 "service, 'aws4_request'), not 4.");
  // Any region is accepted: this one fails on the signature, not the scope.
  expect_failure(verifier, with_credential("AKIDEXAMPLE/20261205/mars-1/lambda/aws4_request"),
                 cli_now, "InvalidSignatureException", mismatch_message);
}

TEST(SigV4VerifierTest, RefusesAnUnknownKey) {
  const SigV4Verifier verifier({{"OTHER", "other-secret", "other"}});
  expect_failure(verifier, cli_arn_request(), cli_now, "UnrecognizedClientException",
                 "The security token included in the request is invalid.");
}

TEST(SigV4VerifierTest, RefusesAnyChangeToWhatWasSigned) {
  const SigV4Verifier verifier({example_key()});
  // One bit of the signature: 'f' (0x66) to 'g' is not hex; '8' (0x38) to '9' is.
  std::string signature(cli_signature);
  signature[1] = static_cast<char>(signature[1] ^ 1);
  expect_failure(verifier,
                 with_header(cli_arn_request(), "Authorization",
                             cli_authorization(cli_credential, "host;x-amz-date", signature)),
                 cli_now, "InvalidSignatureException", mismatch_message);
  // One bit of the body.
  std::string changed_body(body);
  changed_body[2] = static_cast<char>(changed_body[2] ^ 1);
  auto request = cli_arn_request();
  request.body = changed_body;
  expect_failure(verifier, request, cli_now, "InvalidSignatureException", mismatch_message);
  // A signed header, and the path and query.
  expect_failure(verifier, with_header(cli_arn_request(), "Host", "127.0.0.1:19472"), cli_now,
                 "InvalidSignatureException", mismatch_message);
  request = cli_arn_request();
  request.target =
      "/2015-03-31/functions/arn%3Aaws%3Alambda%3Aus-east-1%3A123456789012%3A"
      "function%3Aecho/invocations?Qualifier=1";
  expect_failure(verifier, request, cli_now, "InvalidSignatureException", mismatch_message);
  // The right signature under another secret.
  const SigV4Verifier wrong_secret({{std::string(example_id), "not-the-secret", "x"}});
  expect_failure(wrong_secret, cli_arn_request(), cli_now, "InvalidSignatureException",
                 mismatch_message);
  // Headers left unsigned may change.
  EXPECT_TRUE(verifier.verify(with_header(cli_arn_request(), "User-Agent", "curl"), cli_now));
}

TEST(SigV4VerifierTest, RefusesAStaleOrFutureDate) {
  const SigV4Verifier verifier({example_key()});
  std::string auth;
  std::string date;
  const auto request = signed_request({}, body, at("20260101T000000Z"), auth, date);
  expect_failure(verifier, request, at("20260101T001500Z"), "InvalidSignatureException",
                 "Signature expired: 20260101T000000Z is now earlier than 20260101T001000Z "
                 "(20260101T001500Z - 5 min.)");
  expect_failure(verifier, request, at("20251231T235000Z"), "InvalidSignatureException",
                 "Signature not yet current: 20260101T000000Z is still later than "
                 "20251231T235500Z (20251231T235000Z + 5 min.)");
  // Five minutes either way is still current.
  EXPECT_TRUE(verifier.verify(request, at("20260101T000500Z")));
  EXPECT_TRUE(verifier.verify(request, at("20251231T235500Z")));
  EXPECT_FALSE(verifier.verify(request, at("20260101T000500Z") + std::chrono::seconds(1)));
}

// Requests over several days (more scopes than the key cache holds) from two threads at once.
TEST(SigV4VerifierTest, CachedKeysServeManyScopesAndThreads) {
  const SigV4Verifier verifier({example_key()});
  constexpr int days = 6;
  std::vector<std::string> authorizations(days);
  std::vector<std::string> dates(days);
  std::vector<SignedRequest> requests;
  std::vector<Time> times;
  for (int d = 0; d < days; ++d) {
    times.push_back(at("20260101T120000Z") + std::chrono::days(d));
    requests.push_back(signed_request({}, body, times.back(), authorizations[d], dates[d]));
  }
  std::latch start(2);
  const auto check = [&](int* accepted) {
    start.arrive_and_wait();
    for (int round = 0; round < 50; ++round) {
      for (int d = 0; d < days; ++d) *accepted += verifier.verify(requests[d], times[d]) ? 1 : 0;
    }
  };
  int first = 0;
  int second = 0;
  std::thread other(check, &second);
  check(&first);
  other.join();
  EXPECT_EQ(first, 50 * days);
  EXPECT_EQ(second, 50 * days);
}

}  // namespace
