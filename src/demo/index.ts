// The demo dataset generators `npm run demo` calls: built-in product thumbnails, or a subset of
// Debian's Fashion-MNIST when that package is installed.
export { makeProductImages, type ProductImageOptions, type DemoDataset } from './productImages';
export {
  fashionMnistFolder,
  locateFashionMnist,
  fashionMnistFolderName,
  FASHION_MNIST_CLASSES,
  FASHION_MNIST_PACKAGE,
  type FashionMnistOptions,
} from './fashionMnist';
export { DEMO_MARKER } from './atomicDir';
export { PRODUCT_CLASSES } from './shapes';
