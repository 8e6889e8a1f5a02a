#include "models/listener_folds.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

namespace segue {
namespace {

std::vector<std::string> Ids(int n) {
  std::vector<std::string> ids;
  for (int i = 0; i < n; ++i) ids.push_back("listener-" + std::to_string(i));
  return ids;
}

TEST(ListenerFolds, EveryListenerInExactlyOneFoldAndFoldsBalanced) {
  const std::vector<std::string> ids = Ids(23);
  Result<std::vector<uint32_t>> folds = AssignListenerFolds(ids, 5, 7);
  ASSERT_TRUE(folds.ok()) << folds.status().message();
  ASSERT_EQ(folds->size(), ids.size());
  std::vector<int> size(5, 0);
  for (uint32_t f : *folds) {
    ASSERT_LT(f, 5u);
    ++size[f];
  }
  EXPECT_EQ(*std::min_element(size.begin(), size.end()), 4);
  EXPECT_EQ(*std::max_element(size.begin(), size.end()), 5);
}

TEST(ListenerFolds, DependsOnTheIdsAndTheSeedNotTheOrder) {
  std::vector<std::string> ids = Ids(12);
  const std::vector<uint32_t> a = *AssignListenerFolds(ids, 3, 1);
  std::vector<std::string> reversed(ids.rbegin(), ids.rend());
  const std::vector<uint32_t> b = *AssignListenerFolds(reversed, 3, 1);
  for (size_t i = 0; i < ids.size(); ++i) EXPECT_EQ(a[i], b[ids.size() - 1 - i]) << ids[i];
  EXPECT_NE(a, *AssignListenerFolds(ids, 3, 2)) << "another seed deals the listeners differently";
}

TEST(ListenerFolds, RefusesFewerThanTwoFoldsOrMoreFoldsThanListeners) {
  const std::vector<std::string> ids = Ids(4);
  EXPECT_EQ(AssignListenerFolds(ids, 1, 1).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(AssignListenerFolds(ids, 5, 1).status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(AssignListenerFolds(ids, 4, 1).ok());
}

TEST(ListenerFolds, NoListenerOnBothSidesOfAFoldAndEveryPointEvaluatedOnce) {
  // 6 listeners with 3 sessions of 2 points each.
  std::vector<ExampleInfo> examples;
  for (uint32_t u = 0; u < 6; ++u) {
    for (uint32_t s = 0; s < 3; ++s) {
      for (int p = 0; p < 2; ++p) examples.push_back({.user = u, .session = u * 3 + s});
    }
  }
  const std::vector<uint32_t> fold_of_user = *AssignListenerFolds(Ids(6), 3, 1);
  std::vector<int> evaluated(examples.size(), 0);
  for (uint32_t k = 0; k < 3; ++k) {
    const FoldParts parts = PartsOfFold(examples, fold_of_user, k);
    std::set<uint32_t> train_users, eval_users;
    for (const std::vector<size_t>* part : {&parts.fit, &parts.validation}) {
      for (size_t i : *part) train_users.insert(examples[i].user);
    }
    for (size_t i : parts.eval) {
      eval_users.insert(examples[i].user);
      ++evaluated[i];
    }
    for (uint32_t u : eval_users) EXPECT_FALSE(train_users.contains(u)) << "fold " << k << " leaks listener " << u;
    EXPECT_EQ(parts.fit.size() + parts.validation.size() + parts.eval.size(), examples.size());
    for (size_t i : parts.validation) EXPECT_TRUE(IsValidationSession(examples[i].session));
  }
  for (int n : evaluated) EXPECT_EQ(n, 1);
}

}  // namespace
}  // namespace segue
