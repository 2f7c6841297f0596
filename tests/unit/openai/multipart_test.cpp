// The model field of a multipart/form-data upload, found in place.
#include "openai/multipart.h"

#include <gtest/gtest.h>

namespace fleetgate {
namespace {

const std::string kType = "multipart/form-data; boundary=----b0undary";

std::string form(const std::string& model_part) {
  return "------b0undary\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.wav\"\r\n"
         "Content-Type: audio/wav\r\n\r\nRIFF\r\n--model\"\r\n"
         "------b0undary\r\n" +
         model_part + "------b0undary--\r\n";
}

TEST(Multipart, FindsTheModelFieldInPlace) {
  const std::string body = form(
      "Content-Disposition: form-data; name=\"model\"\r\n\r\nwhisper-1\r\n"
      "------b0undary\r\nContent-Disposition: form-data; name=\"language\"\r\n\r\nen\r\n");
  auto f = find_form_field(kType, body, "model");
  ASSERT_TRUE(f) << f.error().message;
  EXPECT_EQ(f->text, "whisper-1");
  EXPECT_EQ(body.substr(f->value.offset, f->value.size), "whisper-1");
  EXPECT_EQ(find_form_field(kType, body, "language")->text, "en");
}

TEST(Multipart, BoundariesAndFiles) {
  EXPECT_EQ(multipart_boundary("multipart/form-data; boundary=\"a b\""), "a b");
  EXPECT_EQ(multipart_boundary("Multipart/Form-Data;boundary=x;charset=utf-8"), "x");
  EXPECT_EQ(multipart_boundary("application/json"), "");
  EXPECT_EQ(multipart_boundary("multipart/form-data; boundary=" + std::string(71, 'x')), "");
  // A file part named "model" is not the field.
  const std::string file_only =
      form("Content-Disposition: form-data; name=\"model\"; filename=\"m\"\r\n\r\nx\r\n");
  EXPECT_FALSE(find_form_field(kType, file_only, "model"));
}

TEST(Multipart, MalformedUploadsAreBadRequests) {
  for (const std::string& body :
       {std::string(), std::string("no parts at all"), std::string("------b0undary"),
        std::string("------b0undaryXX"), std::string("------b0undary\r\nname=\"model\""),
        std::string("------b0undary\r\nContent-Disposition: form-data; name=\"model\"\r\n\r\nx"),
        form("Content-Disposition: form-data; name=\"other\"\r\n\r\nx\r\n")}) {
    auto f = find_form_field(kType, body, "model");
    ASSERT_FALSE(f) << body;
    EXPECT_EQ(f.error().code, Errc::BadRequest);
  }
  EXPECT_FALSE(find_form_field("application/json", "{}", "model"));
}

}  // namespace
}  // namespace fleetgate
