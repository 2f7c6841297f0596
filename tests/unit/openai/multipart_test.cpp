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

// A body read in pieces: whatever the split, the finder says the same as on the whole body,
// and says nothing before it can be sure.
TEST(Multipart, TheFinderGivesTheSameAnswerAtEverySplit) {
  const std::string model_first =
      "------b0undary\r\nContent-Disposition: form-data; name=\"model\"\r\n\r\nwhisper-1\r\n"
      "------b0undary\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.wav\"\r\n"
      "\r\nRIFF----b0undar\r\n------b0undary--\r\n";
  const std::string file_first =
      form("Content-Disposition: form-data; name=\"model\"\r\n\r\nwhisper-1\r\n");
  for (const std::string& body : {model_first, file_first}) {
    const auto whole = find_form_field(kType, body, "model");
    ASSERT_TRUE(whole) << whole.error().message;
    for (std::size_t split = 0; split <= body.size(); ++split) {
      FormFieldFinder finder(kType, "model");
      std::optional<FormField> early;
      for (std::size_t n = 0; n <= split && !early; ++n) {  // one byte more each time
        auto piece = finder.feed(std::string_view(body).substr(0, n), false);
        ASSERT_TRUE(piece) << split << ": " << piece.error().message;
        early = *piece;
      }
      if (early) {  // only once the value is whole, and then the same
        EXPECT_GE(split, whole->value.offset + whole->value.size + 2) << split;
        EXPECT_EQ(early->text, "whisper-1");
        EXPECT_EQ(early->value.offset, whole->value.offset);
        continue;
      }
      auto last = finder.feed(body, true);
      ASSERT_TRUE(last && *last) << split;
      EXPECT_EQ((*last)->text, "whisper-1");
      EXPECT_EQ((*last)->value.offset, whole->value.offset);
    }
  }
  // The field comes before the file: found long before the file's end.
  FormFieldFinder finder(kType, "model");
  auto found = finder.feed(std::string_view(model_first).substr(0, 100), false);
  ASSERT_TRUE(found && *found);
  EXPECT_EQ((*found)->text, "whisper-1");
}

TEST(Multipart, TheFinderRefusesWhatCanNeverBeAForm) {
  FormFieldFinder finder(kType, "model");
  EXPECT_FALSE(finder.feed("------b0undaryXX", false));  // neither CRLF nor "--" after it
  FormFieldFinder closed(kType, "model");
  auto missing = closed.feed("------b0undary--", false);  // closed without the field
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().param, "model");
  FormFieldFinder untyped("application/json", "model");
  EXPECT_FALSE(untyped.feed("", false));
}

}  // namespace
}  // namespace fleetgate
