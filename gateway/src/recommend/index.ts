/**
 * The recommender's model core (pure: data in, result out, seeded): biased/hybrid matrix
 * factorisation (SGD, ALS), BPR for implicit top-k, baselines, metrics, the rating-file parser,
 * a synthetic buyer × part generator, cross-validation and model persistence.
 */
export { RecommendError, RECOMMEND_ERRORS, type RecommendErrorCode } from './errors';
export { Rng } from '../common/rng';
export { IdIndex, createRatingSet, selectRatings, meanRating, groupBy, countBy, type RatingSet, type Grouping } from './ratings';
export { parseRatings, detectLayout, type ParsedRatings, type ParseOptions, type RatingLayout } from './parse';
export { buildFeatureTable, featureIndices, type FeatureTable } from './features';
export { assignFolds, foldSplit, holdOut } from './split';
export { BiasBaseline, fitBiasBaseline, Popularity, fitPopularity, type BiasBaselineOptions } from './baselines';
export {
  BiasedMf, trainMfSgd, trainMfAls, regularisedLoss, rmseOf, SGD_DEFAULTS, ALS_DEFAULTS,
  type EntityRef, type MfOptions, type SgdOptions, type MfRegularisation, type EpochReport,
} from './mf';
export { BprModel, trainBpr, BPR_DEFAULTS, type BprOptions } from './bpr';
export { rmse, mae, precisionAtK, recallAtK, ndcgAtK, topK } from './metrics';
export { generateSynthetic, type SyntheticData, type SyntheticOptions } from './synthetic';
export { serializeModel, deserializeModel, MODEL_FORMAT, MODEL_FORMAT_VERSION, type StoredModel } from './persistence';
export { crossValidate, rankingEvaluation, type CrossValidationOptions, type CrossValidationResult, type FoldResult, type ExplicitScore, type RankingScore } from './evaluation';
