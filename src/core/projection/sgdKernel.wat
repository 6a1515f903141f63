;; UMAP's SGD epoch (sgd.ts sgdEpoch) as WebAssembly SIMD: the same lanes, groups, schedule,
;; random samples and clipping, in float32, with the four edge visits of a group in the four
;; f32x4 lanes — their pulls, and their negative samples step by step (about five each, so the
;; lanes stay full). x^b is computed in-lane ($pow: exponent bits + two polynomials, relative
;; error < 1e-6) because SIMD has no table lookups. sgdKernel.ts loads it; see there for the
;; measured timings and the variants that were tried and measured slower.
;;
;; Compiled at build time by wabt (scripts/kernels.mjs); checked lane for lane against sgd.ts's
;; JavaScript reference in test/unit/projection/sgdKernel.test.ts.
;;
;; Layouts shared with TypeScript (change both sides together):
;;   thread header (sgdKernel.ts HEADER, 112 bytes):
;;     0 vLo  4 vHi  8 n  12 edges  16 live  20 snap  24 delta   (i32; arrays as byte offsets)
;;     28 a  32 b  36 2ab  40 2γb (f32)   48 negativeSampleRate (f64)
;;     64 rng (i32 × 4, one xorshift32 state per lane)
;;     80 laneLo (i32 × 4)  96 laneHi (i32 × 4): lane l walks edges [laneLo[l], laneHi[l])
;;   edge record (sgd.ts EDGE_WORDS = 4 float64 words = 32 bytes):
;;     0 nextSample (f64)  8 nextNegative (f64)  16 epochsPerSample (f64)  24 head (i32)  28 tail (i32)
;;   positions: (x, y) float32 pairs, 8 bytes per vertex.
(module
  (import "env" "memory" (memory 0 65536 shared))

  ;; c0 + c1·u + … + c6·u⁶ ≈ log2(1 + u)/u on u ∈ [−0.25, 0.5) (Chebyshev-node fit, |error| < 7e-7),
  ;; by Estrin's scheme: pairs (c0 + c1·u) are combined with u², then u⁴ — a dependency chain
  ;; three multiply-adds deep instead of Horner's six; each group waits on two of these chains.
  (func $log2Poly (param $u v128) (result v128)
    (local $u2 v128) (local $u4 v128)
    (local.set $u2 (f32x4.mul (local.get $u) (local.get $u)))
    (local.set $u4 (f32x4.mul (local.get $u2) (local.get $u2)))
    (f32x4.add
      (f32x4.add
        (f32x4.add (v128.const f32x4 1.442696213722229 1.442696213722229 1.442696213722229 1.442696213722229)
                   (f32x4.mul (v128.const f32x4 -0.7213248014450073 -0.7213248014450073 -0.7213248014450073 -0.7213248014450073) (local.get $u)))
        (f32x4.mul
          (f32x4.add (v128.const f32x4 0.48064160346984863 0.48064160346984863 0.48064160346984863 0.48064160346984863)
                     (f32x4.mul (v128.const f32x4 -0.3617303967475891 -0.3617303967475891 -0.3617303967475891 -0.3617303967475891) (local.get $u)))
          (local.get $u2)))
      (f32x4.mul
        (f32x4.add
          (f32x4.add (v128.const f32x4 0.29817402362823486 0.29817402362823486 0.29817402362823486 0.29817402362823486)
                     (f32x4.mul (v128.const f32x4 -0.24062000215053558 -0.24062000215053558 -0.24062000215053558 -0.24062000215053558) (local.get $u)))
          (f32x4.mul (v128.const f32x4 0.1172318384051323 0.1172318384051323 0.1172318384051323 0.1172318384051323) (local.get $u2)))
        (local.get $u4))))

  ;; c0 + c1·f + … + c5·f⁵ ≈ 2^f on f ∈ [−0.5, 0.5] (relative error < 3e-7), Estrin's scheme as above.
  (func $exp2Poly (param $f v128) (result v128)
    (local $f2 v128) (local $f4 v128)
    (local.set $f2 (f32x4.mul (local.get $f) (local.get $f)))
    (local.set $f4 (f32x4.mul (local.get $f2) (local.get $f2)))
    (f32x4.add
      (f32x4.add
        (f32x4.add (v128.const f32x4 1.0000001192092896 1.0000001192092896 1.0000001192092896 1.0000001192092896)
                   (f32x4.mul (v128.const f32x4 0.6931471824645996 0.6931471824645996 0.6931471824645996 0.6931471824645996) (local.get $f)))
        (f32x4.mul
          (f32x4.add (v128.const f32x4 0.2402210682630539 0.2402210682630539 0.2402210682630539 0.2402210682630539)
                     (f32x4.mul (v128.const f32x4 0.055503569543361664 0.055503569543361664 0.055503569543361664 0.055503569543361664) (local.get $f)))
          (local.get $f2)))
      (f32x4.mul
        (f32x4.add (v128.const f32x4 0.009676031768321991 0.009676031768321991 0.009676031768321991 0.009676031768321991)
                   (f32x4.mul (v128.const f32x4 0.0013390863314270973 0.0013390863314270973 0.0013390863314270973 0.0013390863314270973) (local.get $f)))
        (local.get $f4))))

  ;; x^b in each lane (x > 0 in the lanes that count). Inputs are first raised to 1e-30: below it
  ;; the exponent-bit trick would meet denormals.
  (func $pow (param $x v128) (param $b v128) (result v128)
    (local $e v128) (local $u v128) (local $y v128) (local $yi v128)
    (local.set $x (f32x4.pmax (v128.const f32x4 1e-30 1e-30 1e-30 1e-30) (local.get $x)))
    ;; x = 2^e · m with m in [0.75, 1.5): e from the bits of x / 0.75 (0x3f400000 is 0.75), u = m − 1.
    (local.set $e (i32x4.shr_s (i32x4.sub (local.get $x) (v128.const i32x4 0x3f400000 0x3f400000 0x3f400000 0x3f400000)) (i32.const 23)))
    (local.set $u (f32x4.sub (i32x4.sub (local.get $x) (i32x4.shl (local.get $e) (i32.const 23)))
                             (v128.const f32x4 1 1 1 1)))
    ;; y = b · (e + log2 m)
    (local.set $y (f32x4.mul (local.get $b)
                             (f32x4.add (f32x4.convert_i32x4_s (local.get $e))
                                        (f32x4.mul (call $log2Poly (local.get $u)) (local.get $u)))))
    ;; 2^y = 2^round(y) · 2^(y − round(y)). Adding 1.5·2^23 rounds y to an integer (ties to even)
    ;; that the sum's low mantissa bits hold; shifted into the exponent field it scales 2^frac.
    (local.set $yi (f32x4.add (local.get $y) (v128.const f32x4 12582912 12582912 12582912 12582912)))
    (local.set $y (f32x4.sub (local.get $y) (f32x4.sub (local.get $yi) (v128.const f32x4 12582912 12582912 12582912 12582912))))
    (i32x4.add (call $exp2Poly (local.get $y))
               (i32x4.shl (i32x4.sub (local.get $yi) (v128.const i32x4 0x4b400000 0x4b400000 0x4b400000 0x4b400000)) (i32.const 23))))

  ;; Each component clipped to ±4, as umap-learn clips its gradients.
  (func $clip4 (param $v v128) (result v128)
    (f32x4.pmax (v128.const f32x4 -4 -4 -4 -4) (f32x4.pmin (v128.const f32x4 4 4 4 4) (local.get $v))))

  ;; epoch(header, epoch, alpha): one epoch of this thread's lanes. Each round ("group") every lane
  ;; takes the next due edge of its stream; the group's heads are pulled towards their tails, then
  ;; pushed away from their negative samples, then moved; the tails receive their pulls last.
  (func (export "epoch") (param $P i32) (param $epoch f64) (param $alpha f32)
    ;; header values
    (local $vLo i32) (local $vSpan i32) (local $edges i32) (local $live i32) (local $snap i32) (local $delta i32)
    (local $rate f64)
    (local $nVec v128) (local $snapVec v128) (local $aVec v128) (local $bVec v128)
    (local $negTwoABVec v128) (local $twoGBVec v128) (local $alphaVec v128)
    ;; this group
    (local $maxNeg i32) (local $p i32) (local $anyActive i32)
    (local $rng v128) (local $active v128) (local $jV v128) (local $nNegV v128)
    (local $hX v128) (local $hY v128) (local $tX v128) (local $tY v128) (local $dX v128) (local $dY v128) (local $d2 v128)
    (local $pw v128) (local $g v128) (local $cX v128) (local $cY v128) (local $accX v128) (local $accY v128)
    (local $r v128) (local $addr v128) (local $mask v128) (local $pullLo v128) (local $pullHi v128)
    (local $lo v128) (local $hi v128)
    ;; per lane: stream cursor and end, taken this group or not, head, tail's read and write
    ;; addresses, negative samples due
    (local $cur0 i32) (local $cur1 i32) (local $cur2 i32) (local $cur3 i32)
    (local $end0 i32) (local $end1 i32) (local $end2 i32) (local $end3 i32)
    (local $act0 i32) (local $act1 i32) (local $act2 i32) (local $act3 i32)
    (local $j0 i32) (local $j1 i32) (local $j2 i32) (local $j3 i32)
    (local $tr0 i32) (local $tr1 i32) (local $tr2 i32) (local $tr3 i32)
    (local $tw0 i32) (local $tw1 i32) (local $tw2 i32) (local $tw3 i32)
    (local $neg0 i32) (local $neg1 i32) (local $neg2 i32) (local $neg3 i32)
    ;; scratch of takeLane
    (local $rec i32) (local $tail i32) (local $own i32) (local $eps f64) (local $epn f64)

    (local.set $cur0 (i32.load offset=80 (local.get $P)))
    (local.set $cur1 (i32.load offset=84 (local.get $P)))
    (local.set $cur2 (i32.load offset=88 (local.get $P)))
    (local.set $cur3 (i32.load offset=92 (local.get $P)))
    (local.set $end0 (i32.load offset=96 (local.get $P)))
    (local.set $end1 (i32.load offset=100 (local.get $P)))
    (local.set $end2 (i32.load offset=104 (local.get $P)))
    (local.set $end3 (i32.load offset=108 (local.get $P)))
    (local.set $rng (v128.load offset=64 (local.get $P)))
    (local.set $vLo (i32.load offset=0 (local.get $P)))
    (local.set $vSpan (i32.sub (i32.load offset=4 (local.get $P)) (local.get $vLo)))
    (local.set $edges (i32.load offset=12 (local.get $P)))
    (local.set $live (i32.load offset=16 (local.get $P)))
    (local.set $snap (i32.load offset=20 (local.get $P)))
    (local.set $delta (i32.load offset=24 (local.get $P)))
    (local.set $rate (f64.load offset=48 (local.get $P)))
    (local.set $aVec (f32x4.splat (f32.load offset=28 (local.get $P))))
    (local.set $bVec (f32x4.splat (f32.load offset=32 (local.get $P))))
    (local.set $negTwoABVec (f32x4.splat (f32.sub (f32.const 0) (f32.load offset=36 (local.get $P)))))
    (local.set $twoGBVec (f32x4.splat (f32.load offset=40 (local.get $P))))
    (local.set $alphaVec (f32x4.splat (local.get $alpha)))
    (local.set $nVec (i32x4.splat (i32.load offset=8 (local.get $P))))
    (local.set $snapVec (i32x4.splat (local.get $snap)))

    ;; Zero-initialised lane locals are valid addresses; lanes that sit a group out are masked.
    (block $epochDone
      (loop $groups
        (local.set $maxNeg (i32.const 0))
        (local.set $anyActive (i32.const 0))
        ;; Lane l takes the next due edge of its stream (act = 1), or sits this group out (act = 0)
        ;; when its stream is exhausted. The same steps four times, one per lane's locals.
        (local.set $act0 (i32.const 0))
        (block $taken
          (loop $scan
            (br_if $taken (i32.ge_s (local.get $cur0) (local.get $end0)))
            (local.set $rec (i32.add (local.get $edges) (i32.shl (local.get $cur0) (i32.const 5))))
            (if (f64.gt (f64.load offset=0 (local.get $rec)) (local.get $epoch))
              (then (local.set $cur0 (i32.add (local.get $cur0) (i32.const 1))) (br $scan)))
            (local.set $act0 (i32.const 1))
            (local.set $j0 (i32.load offset=24 (local.get $rec)))
            (local.set $tail (i32.load offset=28 (local.get $rec)))
            ;; The tail is read live and pulled in place when this thread owns it; otherwise it is read
            ;; from the snapshot and its pull goes to this thread's delta buffer for the owner to add.
            (local.set $own (i32.lt_u (i32.sub (local.get $tail) (local.get $vLo)) (local.get $vSpan)))
            (local.set $tr0 (i32.add (select (local.get $live) (local.get $snap) (local.get $own)) (i32.shl (local.get $tail) (i32.const 3))))
            (local.set $tw0 (i32.add (select (local.get $live) (local.get $delta) (local.get $own)) (i32.shl (local.get $tail) (i32.const 3))))
            ;; umap-learn's schedule: next sample one period on; the negative samples due since the last visit.
            (local.set $eps (f64.load offset=16 (local.get $rec)))
            (f64.store offset=0 (local.get $rec) (f64.add (f64.load offset=0 (local.get $rec)) (local.get $eps)))
            (local.set $epn (f64.div (local.get $eps) (local.get $rate)))
            (local.set $neg0 (i32.trunc_sat_f64_s (f64.div (f64.sub (local.get $epoch) (f64.load offset=8 (local.get $rec))) (local.get $epn))))
            (f64.store offset=8 (local.get $rec)
              (f64.add (f64.load offset=8 (local.get $rec)) (f64.mul (f64.convert_i32_s (local.get $neg0)) (local.get $epn))))
            (local.set $cur0 (i32.add (local.get $cur0) (i32.const 1)))))
        (local.set $anyActive (i32.or (local.get $anyActive) (local.get $act0)))
        (local.set $act1 (i32.const 0))
        (block $taken
          (loop $scan
            (br_if $taken (i32.ge_s (local.get $cur1) (local.get $end1)))
            (local.set $rec (i32.add (local.get $edges) (i32.shl (local.get $cur1) (i32.const 5))))
            (if (f64.gt (f64.load offset=0 (local.get $rec)) (local.get $epoch))
              (then (local.set $cur1 (i32.add (local.get $cur1) (i32.const 1))) (br $scan)))
            (local.set $act1 (i32.const 1))
            (local.set $j1 (i32.load offset=24 (local.get $rec)))
            (local.set $tail (i32.load offset=28 (local.get $rec)))
            (local.set $own (i32.lt_u (i32.sub (local.get $tail) (local.get $vLo)) (local.get $vSpan)))
            (local.set $tr1 (i32.add (select (local.get $live) (local.get $snap) (local.get $own)) (i32.shl (local.get $tail) (i32.const 3))))
            (local.set $tw1 (i32.add (select (local.get $live) (local.get $delta) (local.get $own)) (i32.shl (local.get $tail) (i32.const 3))))
            (local.set $eps (f64.load offset=16 (local.get $rec)))
            (f64.store offset=0 (local.get $rec) (f64.add (f64.load offset=0 (local.get $rec)) (local.get $eps)))
            (local.set $epn (f64.div (local.get $eps) (local.get $rate)))
            (local.set $neg1 (i32.trunc_sat_f64_s (f64.div (f64.sub (local.get $epoch) (f64.load offset=8 (local.get $rec))) (local.get $epn))))
            (f64.store offset=8 (local.get $rec)
              (f64.add (f64.load offset=8 (local.get $rec)) (f64.mul (f64.convert_i32_s (local.get $neg1)) (local.get $epn))))
            (local.set $cur1 (i32.add (local.get $cur1) (i32.const 1)))))
        (local.set $anyActive (i32.or (local.get $anyActive) (local.get $act1)))
        (local.set $act2 (i32.const 0))
        (block $taken
          (loop $scan
            (br_if $taken (i32.ge_s (local.get $cur2) (local.get $end2)))
            (local.set $rec (i32.add (local.get $edges) (i32.shl (local.get $cur2) (i32.const 5))))
            (if (f64.gt (f64.load offset=0 (local.get $rec)) (local.get $epoch))
              (then (local.set $cur2 (i32.add (local.get $cur2) (i32.const 1))) (br $scan)))
            (local.set $act2 (i32.const 1))
            (local.set $j2 (i32.load offset=24 (local.get $rec)))
            (local.set $tail (i32.load offset=28 (local.get $rec)))
            (local.set $own (i32.lt_u (i32.sub (local.get $tail) (local.get $vLo)) (local.get $vSpan)))
            (local.set $tr2 (i32.add (select (local.get $live) (local.get $snap) (local.get $own)) (i32.shl (local.get $tail) (i32.const 3))))
            (local.set $tw2 (i32.add (select (local.get $live) (local.get $delta) (local.get $own)) (i32.shl (local.get $tail) (i32.const 3))))
            (local.set $eps (f64.load offset=16 (local.get $rec)))
            (f64.store offset=0 (local.get $rec) (f64.add (f64.load offset=0 (local.get $rec)) (local.get $eps)))
            (local.set $epn (f64.div (local.get $eps) (local.get $rate)))
            (local.set $neg2 (i32.trunc_sat_f64_s (f64.div (f64.sub (local.get $epoch) (f64.load offset=8 (local.get $rec))) (local.get $epn))))
            (f64.store offset=8 (local.get $rec)
              (f64.add (f64.load offset=8 (local.get $rec)) (f64.mul (f64.convert_i32_s (local.get $neg2)) (local.get $epn))))
            (local.set $cur2 (i32.add (local.get $cur2) (i32.const 1)))))
        (local.set $anyActive (i32.or (local.get $anyActive) (local.get $act2)))
        (local.set $act3 (i32.const 0))
        (block $taken
          (loop $scan
            (br_if $taken (i32.ge_s (local.get $cur3) (local.get $end3)))
            (local.set $rec (i32.add (local.get $edges) (i32.shl (local.get $cur3) (i32.const 5))))
            (if (f64.gt (f64.load offset=0 (local.get $rec)) (local.get $epoch))
              (then (local.set $cur3 (i32.add (local.get $cur3) (i32.const 1))) (br $scan)))
            (local.set $act3 (i32.const 1))
            (local.set $j3 (i32.load offset=24 (local.get $rec)))
            (local.set $tail (i32.load offset=28 (local.get $rec)))
            (local.set $own (i32.lt_u (i32.sub (local.get $tail) (local.get $vLo)) (local.get $vSpan)))
            (local.set $tr3 (i32.add (select (local.get $live) (local.get $snap) (local.get $own)) (i32.shl (local.get $tail) (i32.const 3))))
            (local.set $tw3 (i32.add (select (local.get $live) (local.get $delta) (local.get $own)) (i32.shl (local.get $tail) (i32.const 3))))
            (local.set $eps (f64.load offset=16 (local.get $rec)))
            (f64.store offset=0 (local.get $rec) (f64.add (f64.load offset=0 (local.get $rec)) (local.get $eps)))
            (local.set $epn (f64.div (local.get $eps) (local.get $rate)))
            (local.set $neg3 (i32.trunc_sat_f64_s (f64.div (f64.sub (local.get $epoch) (f64.load offset=8 (local.get $rec))) (local.get $epn))))
            (f64.store offset=8 (local.get $rec)
              (f64.add (f64.load offset=8 (local.get $rec)) (f64.mul (f64.convert_i32_s (local.get $neg3)) (local.get $epn))))
            (local.set $cur3 (i32.add (local.get $cur3) (i32.const 1)))))
        (local.set $anyActive (i32.or (local.get $anyActive) (local.get $act3)))
        (br_if $epochDone (i32.eqz (local.get $anyActive)))

        ;; Attraction: heads move towards tails; the pulls are kept for the tails.
        (local.set $active (i32x4.neg (i32x4.replace_lane 3 (i32x4.replace_lane 2 (i32x4.replace_lane 1
          (i32x4.splat (local.get $act0)) (local.get $act1)) (local.get $act2)) (local.get $act3))))
        (local.set $jV (i32x4.replace_lane 3 (i32x4.replace_lane 2 (i32x4.replace_lane 1
          (i32x4.splat (local.get $j0)) (local.get $j1)) (local.get $j2)) (local.get $j3)))
        (local.set $nNegV (v128.and (local.get $active) (i32x4.replace_lane 3 (i32x4.replace_lane 2 (i32x4.replace_lane 1
          (i32x4.splat (local.get $neg0)) (local.get $neg1)) (local.get $neg2)) (local.get $neg3))))
        (local.set $maxNeg (i32x4.extract_lane 0 (local.get $nNegV)))
        (local.set $maxNeg (select (local.get $maxNeg) (i32x4.extract_lane 1 (local.get $nNegV)) (i32.gt_s (local.get $maxNeg) (i32x4.extract_lane 1 (local.get $nNegV)))))
        (local.set $maxNeg (select (local.get $maxNeg) (i32x4.extract_lane 2 (local.get $nNegV)) (i32.gt_s (local.get $maxNeg) (i32x4.extract_lane 2 (local.get $nNegV)))))
        (local.set $maxNeg (select (local.get $maxNeg) (i32x4.extract_lane 3 (local.get $nNegV)) (i32.gt_s (local.get $maxNeg) (i32x4.extract_lane 3 (local.get $nNegV)))))
        ;; Gather four (x, y) pairs: lo = x0 y0 x1 y1, hi = x2 y2 x3 y3, then x = x0..x3, y = y0..y3.
        (local.set $lo (v128.load64_lane 1 (i32.add (local.get $live) (i32.shl (local.get $j1) (i32.const 3)))
                         (v128.load64_zero (i32.add (local.get $live) (i32.shl (local.get $j0) (i32.const 3))))))
        (local.set $hi (v128.load64_lane 1 (i32.add (local.get $live) (i32.shl (local.get $j3) (i32.const 3)))
                         (v128.load64_zero (i32.add (local.get $live) (i32.shl (local.get $j2) (i32.const 3))))))
        (local.set $hX (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27 (local.get $lo) (local.get $hi)))
        (local.set $hY (i8x16.shuffle 4 5 6 7 12 13 14 15 20 21 22 23 28 29 30 31 (local.get $lo) (local.get $hi)))
        (local.set $lo (v128.load64_lane 1 (local.get $tr1) (v128.load64_zero (local.get $tr0))))
        (local.set $hi (v128.load64_lane 1 (local.get $tr3) (v128.load64_zero (local.get $tr2))))
        (local.set $tX (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27 (local.get $lo) (local.get $hi)))
        (local.set $tY (i8x16.shuffle 4 5 6 7 12 13 14 15 20 21 22 23 28 29 30 31 (local.get $lo) (local.get $hi)))
        (local.set $dX (f32x4.sub (local.get $hX) (local.get $tX)))
        (local.set $dY (f32x4.sub (local.get $hY) (local.get $tY)))
        (local.set $d2 (f32x4.add (f32x4.mul (local.get $dX) (local.get $dX)) (f32x4.mul (local.get $dY) (local.get $dY))))
        (local.set $mask (v128.and (f32x4.gt (local.get $d2) (v128.const f32x4 0 0 0 0)) (local.get $active)))
        (local.set $pw (call $pow (local.get $d2) (local.get $bVec)))
        ;; −2ab·d^2b / (d²(1 + a·d^2b)) along head − tail, each component clipped to ±4, times alpha.
        (local.set $g (f32x4.div (f32x4.mul (local.get $negTwoABVec) (local.get $pw))
                                 (f32x4.mul (local.get $d2) (f32x4.add (f32x4.mul (local.get $aVec) (local.get $pw)) (v128.const f32x4 1 1 1 1)))))
        (local.set $dX (v128.and (f32x4.mul (call $clip4 (f32x4.mul (local.get $g) (local.get $dX))) (local.get $alphaVec)) (local.get $mask)))
        (local.set $dY (v128.and (f32x4.mul (call $clip4 (f32x4.mul (local.get $g) (local.get $dY))) (local.get $alphaVec)) (local.get $mask)))
        (local.set $cX (f32x4.add (local.get $hX) (local.get $dX)))
        (local.set $cY (f32x4.add (local.get $hY) (local.get $dY)))
        ;; The tails' pulls, interleaved as (x0 y0 x1 y1), (x2 y2 x3 y3) for the writes at the end.
        (local.set $pullLo (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $dX) (local.get $dY)))
        (local.set $pullHi (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $dX) (local.get $dY)))
        (local.set $accX (v128.const f32x4 0 0 0 0))
        (local.set $accY (v128.const f32x4 0 0 0 0))

        ;; Negative-sample steps p = 0 … maxNeg − 1: one vertex per lane (its own xorshift32 stream,
        ;; r = ⌊s·n / 2^32⌋ from the high words of s·n) pushes the lane's head away if p is below the
        ;; lane's count, r is not its head, and r is not on top of it.
        (local.set $p (i32.const 0))
        (block $noNegatives
          (br_if $noNegatives (i32.eqz (local.get $maxNeg)))
          (loop $negatives
            (local.set $rng (v128.xor (local.get $rng) (i32x4.shl (local.get $rng) (i32.const 13))))
            (local.set $rng (v128.xor (local.get $rng) (i32x4.shr_u (local.get $rng) (i32.const 17))))
            (local.set $rng (v128.xor (local.get $rng) (i32x4.shl (local.get $rng) (i32.const 5))))
            (local.set $r (i8x16.shuffle 4 5 6 7 12 13 14 15 20 21 22 23 28 29 30 31
              (i64x2.extmul_low_i32x4_u (local.get $rng) (local.get $nVec))
              (i64x2.extmul_high_i32x4_u (local.get $rng) (local.get $nVec))))
            (local.set $addr (i32x4.add (i32x4.shl (local.get $r) (i32.const 3)) (local.get $snapVec)))
            (local.set $lo (v128.load64_lane 1 (i32x4.extract_lane 1 (local.get $addr)) (v128.load64_zero (i32x4.extract_lane 0 (local.get $addr)))))
            (local.set $hi (v128.load64_lane 1 (i32x4.extract_lane 3 (local.get $addr)) (v128.load64_zero (i32x4.extract_lane 2 (local.get $addr)))))
            (local.set $tX (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27 (local.get $lo) (local.get $hi)))
            (local.set $tY (i8x16.shuffle 4 5 6 7 12 13 14 15 20 21 22 23 28 29 30 31 (local.get $lo) (local.get $hi)))
            (local.set $dX (f32x4.sub (local.get $cX) (local.get $tX)))
            (local.set $dY (f32x4.sub (local.get $cY) (local.get $tY)))
            (local.set $d2 (f32x4.add (f32x4.mul (local.get $dX) (local.get $dX)) (f32x4.mul (local.get $dY) (local.get $dY))))
            (local.set $mask (v128.and
              (v128.andnot (i32x4.gt_s (local.get $nNegV) (i32x4.splat (local.get $p))) (i32x4.eq (local.get $r) (local.get $jV)))
              (f32x4.gt (local.get $d2) (v128.const f32x4 0 0 0 0))))
            (local.set $pw (call $pow (local.get $d2) (local.get $bVec)))
            ;; 2γb / ((0.001 + d²)(1 + a·d^2b)), each component clipped to ±4.
            (local.set $g (f32x4.div (local.get $twoGBVec)
                                     (f32x4.mul (f32x4.add (v128.const f32x4 0.001 0.001 0.001 0.001) (local.get $d2))
                                                (f32x4.add (f32x4.mul (local.get $aVec) (local.get $pw)) (v128.const f32x4 1 1 1 1)))))
            (local.set $accX (f32x4.add (local.get $accX) (v128.and (call $clip4 (f32x4.mul (local.get $g) (local.get $dX))) (local.get $mask))))
            (local.set $accY (f32x4.add (local.get $accY) (v128.and (call $clip4 (f32x4.mul (local.get $g) (local.get $dY))) (local.get $mask))))
            (br_if $negatives (i32.lt_s (local.tee $p (i32.add (local.get $p) (i32.const 1))) (local.get $maxNeg)))))

        ;; All heads move first, then the tails' pulls are added (read-modify-write, lane by lane),
        ;; so a tail that is another lane's head, or two lanes' common tail, receives every pull.
        (local.set $cX (f32x4.add (local.get $cX) (f32x4.mul (local.get $accX) (local.get $alphaVec))))
        (local.set $cY (f32x4.add (local.get $cY) (f32x4.mul (local.get $accY) (local.get $alphaVec))))
        (local.set $lo (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $cX) (local.get $cY)))
        (local.set $hi (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $cX) (local.get $cY)))
        (if (local.get $act0) (then (v128.store64_lane 0 (i32.add (local.get $live) (i32.shl (local.get $j0) (i32.const 3))) (local.get $lo))))
        (if (local.get $act1) (then (v128.store64_lane 1 (i32.add (local.get $live) (i32.shl (local.get $j1) (i32.const 3))) (local.get $lo))))
        (if (local.get $act2) (then (v128.store64_lane 0 (i32.add (local.get $live) (i32.shl (local.get $j2) (i32.const 3))) (local.get $hi))))
        (if (local.get $act3) (then (v128.store64_lane 1 (i32.add (local.get $live) (i32.shl (local.get $j3) (i32.const 3))) (local.get $hi))))
        (if (local.get $act0) (then (v128.store64_lane 0 (local.get $tw0)
          (f32x4.sub (v128.load64_zero (local.get $tw0)) (local.get $pullLo)))))
        (if (local.get $act1) (then (v128.store64_lane 1 (local.get $tw1)
          (f32x4.sub (v128.load64_lane 1 (local.get $tw1) (local.get $pullLo)) (local.get $pullLo)))))
        (if (local.get $act2) (then (v128.store64_lane 0 (local.get $tw2)
          (f32x4.sub (v128.load64_zero (local.get $tw2)) (local.get $pullHi)))))
        (if (local.get $act3) (then (v128.store64_lane 1 (local.get $tw3)
          (f32x4.sub (v128.load64_lane 1 (local.get $tw3) (local.get $pullHi)) (local.get $pullHi)))))
        (br $groups)))
    (v128.store offset=64 (local.get $P) (local.get $rng)))

  ;; addPulls(live, delta, count): live[i] += delta[i] for `count` floats at the two byte offsets —
  ;; a thread adding another thread's pulls on its vertices (sgd.ts addPulls), four floats at a time.
  (func (export "addPulls") (param $live i32) (param $delta i32) (param $count i32)
    (local $at i32) (local $vectorEnd i32) (local $end i32)
    (local.set $end (i32.shl (local.get $count) (i32.const 2)))
    (local.set $vectorEnd (i32.shl (i32.and (local.get $count) (i32.const -4)) (i32.const 2)))
    (block $vectorsDone
      (loop $vectors
        (br_if $vectorsDone (i32.ge_s (local.get $at) (local.get $vectorEnd)))
        (v128.store (i32.add (local.get $live) (local.get $at))
          (f32x4.add (v128.load (i32.add (local.get $live) (local.get $at))) (v128.load (i32.add (local.get $delta) (local.get $at)))))
        (local.set $at (i32.add (local.get $at) (i32.const 16)))
        (br $vectors)))
    (block $done
      (loop $floats
        (br_if $done (i32.ge_s (local.get $at) (local.get $end)))
        (f32.store (i32.add (local.get $live) (local.get $at))
          (f32.add (f32.load (i32.add (local.get $live) (local.get $at))) (f32.load (i32.add (local.get $delta) (local.get $at)))))
        (local.set $at (i32.add (local.get $at) (i32.const 4)))
        (br $floats)))))
