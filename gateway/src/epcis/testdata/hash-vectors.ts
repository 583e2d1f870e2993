/**
 * EPCIS event hash vectors written for ForgeTrace: our own events, one group per rule area of the
 * CBV 2.0 event hash. The expected hash IDs are facts obtained by running the GS1 reference
 * implementation, `epcis-event-hash-generator` 1.9.3 from PyPI (`python3 -m epcis_event_hash_generator
 * -b <group>.jsonld`), on each group wrapped as an EPCISDocument with the group's `@context`.
 * Events of a group with the same hash are equivalent spellings of one event. Left out because the
 * reference fails on them: a bizTransaction without type, a time that rounds up to the next second.
 */

const EPCIS_CONTEXT = 'https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld';
const FT = { ft: 'https://ns.forgetrace.dev/epcis/' };

/** A group of events with their expected hash IDs. */
export interface HashVector {
  readonly name: string;
  readonly about: string;
  /** The document's `@context`. */
  readonly context: readonly unknown[];
  /** [event, expected hash ID] */
  readonly events: readonly (readonly [Record<string, unknown>, string])[];
}

export const HASH_VECTORS: readonly HashVector[] = [
  {
    name: 'time-normalisation',
    about: 'eventTime offsets converted to UTC (also across a year), milliseconds added, or rounded from microseconds with an exact half to even',
    context: [EPCIS_CONTEXT, FT],
    events: [
      [{ type: 'ObjectEvent', eventTime: '2025-03-09T14:30:00+05:30', eventTimeZoneOffset: '+05:30', epcList: ['https://id.forgetrace.dev/ft/part/PO-7.1'], action: 'OBSERVE' },
        'ni:///sha-256;4fe3bfbbef4fa402012875b7c4ccc86cf89b7cdc0a66cd59e2d353bde96330a2?ver=CBV2.0'],
      [{ type: 'ObjectEvent', eventTime: '2025-03-09T09:00:00.1235Z', eventTimeZoneOffset: '+00:00', epcList: ['https://id.forgetrace.dev/ft/part/PO-7.1'], action: 'OBSERVE' },
        'ni:///sha-256;8ab223757728ac61f6261872094879cf628b21c9ed651c43d44b24c7daa24678?ver=CBV2.0'],
      [{ type: 'ObjectEvent', eventTime: '2025-03-09T09:00:00.1234Z', eventTimeZoneOffset: '+00:00', epcList: ['https://id.forgetrace.dev/ft/part/PO-7.1'], action: 'OBSERVE' },
        'ni:///sha-256;0555d1bfc45fdbfe0d7fe26ea146cd242a596f3f310ace92ea23d36e2cddd20e?ver=CBV2.0'],
      [{ type: 'ObjectEvent', eventTime: '2024-12-31T22:30:00.0005-02:00', eventTimeZoneOffset: '-02:00', epcList: ['https://id.forgetrace.dev/ft/part/PO-7.1'], action: 'OBSERVE' },
        'ni:///sha-256;6629c88afdc998d777ad620904a1a89d19ef865f763faeb011bf118d247950af?ver=CBV2.0'],
      [{ type: 'ObjectEvent', eventTime: '2025-03-09T09:00:00.1245Z', eventTimeZoneOffset: '+00:00', epcList: ['https://id.forgetrace.dev/ft/part/PO-7.1'], action: 'OBSERVE' },
        'ni:///sha-256;8ab223757728ac61f6261872094879cf628b21c9ed651c43d44b24c7daa24678?ver=CBV2.0'],
      [{ type: 'ObjectEvent', eventTime: '2025-03-09T09:00:00.124501Z', eventTimeZoneOffset: '+00:00', epcList: ['https://id.forgetrace.dev/ft/part/PO-7.1'], action: 'OBSERVE' },
        'ni:///sha-256;a6bad718d605ca56fd3b2c174827cf33bd83d74f28e27e59506eeb45fcc8e48b?ver=CBV2.0'],
      [{ type: 'ObjectEvent', eventTime: '2025-03-09T09:00:00.5Z', eventTimeZoneOffset: '+00:00', epcList: ['https://id.forgetrace.dev/ft/part/PO-7.1'], action: 'OBSERVE' },
        'ni:///sha-256;838554c17cd3097b1f3994403d25424a2ba6f52c74bb913ba2b6913d61e30bd4?ver=CBV2.0'],
      [{ type: 'ObjectEvent', eventTime: '2025-03-09T11:00:00.500+02:00', eventTimeZoneOffset: '+02:00', epcList: ['https://id.forgetrace.dev/ft/part/PO-7.1'], action: 'OBSERVE' },
        'ni:///sha-256;8fd83d7920b2c46ae790e6b41b0e6d029e6f4fa1bcc628f80d6ad91b4b9df92a?ver=CBV2.0'],
    ],
  },
  {
    name: 'numbers',
    about: 'numbers and numeric text lose a + sign, leading and trailing zeros and a zero fraction; whole numbers in all digits, exponents below 1e-4',
    context: [EPCIS_CONTEXT, FT],
    events: [
      [{ type: 'ObjectEvent', eventTime: '2025-04-01T08:00:00.000Z', eventTimeZoneOffset: '+00:00', action: 'OBSERVE', quantityList: [{ epcClass: 'https://id.forgetrace.dev/ft/lot/LOT-AL-1', quantity: 12.5, uom: 'KGM' }, { epcClass: 'https://id.forgetrace.dev/ft/lot/LOT-AL-2', quantity: 3, uom: 'MTR' }], 'ft:ratio': '0.750', 'ft:count': '040.0', 'ft:offset': '+5', 'ft:half': '.5', 'ft:drift': '0.0000150', 'ft:wear': 2.5e-7, 'ft:big': 1e+21, 'ft:toleranceMm': 0.005 },
        'ni:///sha-256;e3583d319030988ccbbd31ccb24ebe9b2ce2ad569eb354388560f42bbb7ba5c4?ver=CBV2.0'],
      [{ type: 'ObjectEvent', eventTime: '2025-04-01T08:00:00.000Z', eventTimeZoneOffset: '+00:00', action: 'OBSERVE', quantityList: [{ epcClass: 'https://id.forgetrace.dev/ft/lot/LOT-AL-1', quantity: '12.50', uom: 'KGM' }, { epcClass: 'https://id.forgetrace.dev/ft/lot/LOT-AL-2', quantity: '3.0', uom: 'MTR' }], 'ft:ratio': 0.75, 'ft:count': 40, 'ft:offset': 5, 'ft:half': 0.5, 'ft:drift': 0.000015, 'ft:wear': '0.00000025', 'ft:big': '1000000000000000000000', 'ft:toleranceMm': '5e-3' },
        'ni:///sha-256;e3583d319030988ccbbd31ccb24ebe9b2ce2ad569eb354388560f42bbb7ba5c4?ver=CBV2.0'],
      [{ type: 'ObjectEvent', eventTime: '2025-04-01T08:00:00.000Z', eventTimeZoneOffset: '+00:00', action: 'OBSERVE', epcList: ['https://id.forgetrace.dev/ft/part/PO-7.2'], 'ft:serialText': 'SN-0040', 'ft:version': '1.10.0', 'ft:ratio': '0.0001' },
        'ni:///sha-256;4aa402d01514cc0ed0e9f099b64243b799799cda40e010781aa0364aa1465663?ver=CBV2.0'],
    ],
  },
  {
    name: 'cbv-vocabulary',
    about: 'bare CBV terms, CBV 1.x URNs, cbv: CURIEs (prefix declared in the document) and full CBV 2.0 URIs give the same hash',
    context: [EPCIS_CONTEXT, FT, { cbv: 'https://ref.gs1.org/cbv/' }],
    events: [
      [{ type: 'ObjectEvent', eventTime: '2025-05-02T12:00:00.000Z', eventTimeZoneOffset: '+00:00', epcList: ['https://id.forgetrace.dev/ft/part/PO-9.1'], action: 'OBSERVE', bizStep: 'shipping', disposition: 'in_transit', bizTransactionList: [{ type: 'po', bizTransaction: 'urn:forgetrace:po:PO-9' }] },
        'ni:///sha-256;a97418ab520ada3f4952530cb69adba9f435293e1ba83b086ccb1bb1c31b22a2?ver=CBV2.0'],
      [{ type: 'ObjectEvent', eventTime: '2025-05-02T12:00:00.000Z', eventTimeZoneOffset: '+00:00', epcList: ['https://id.forgetrace.dev/ft/part/PO-9.1'], action: 'OBSERVE', bizStep: 'urn:epcglobal:cbv:bizstep:shipping', disposition: 'urn:epcglobal:cbv:disp:in_transit', bizTransactionList: [{ type: 'urn:epcglobal:cbv:btt:po', bizTransaction: 'urn:forgetrace:po:PO-9' }] },
        'ni:///sha-256;a97418ab520ada3f4952530cb69adba9f435293e1ba83b086ccb1bb1c31b22a2?ver=CBV2.0'],
      [{ type: 'ObjectEvent', eventTime: '2025-05-02T12:00:00.000Z', eventTimeZoneOffset: '+00:00', epcList: ['https://id.forgetrace.dev/ft/part/PO-9.1'], action: 'OBSERVE', bizStep: 'https://ref.gs1.org/cbv/BizStep-shipping', disposition: 'https://ref.gs1.org/cbv/Disp-in_transit', bizTransactionList: [{ type: 'https://ref.gs1.org/cbv/BTT-po', bizTransaction: 'urn:forgetrace:po:PO-9' }] },
        'ni:///sha-256;a97418ab520ada3f4952530cb69adba9f435293e1ba83b086ccb1bb1c31b22a2?ver=CBV2.0'],
      [{ type: 'ObjectEvent', eventTime: '2025-05-02T12:00:00.000Z', eventTimeZoneOffset: '+00:00', epcList: ['https://id.forgetrace.dev/ft/part/PO-9.1'], action: 'OBSERVE', bizStep: 'cbv:BizStep-shipping', disposition: 'cbv:Disp-in_transit', bizTransactionList: [{ type: 'cbv:BTT-po', bizTransaction: 'urn:forgetrace:po:PO-9' }] },
        'ni:///sha-256;a97418ab520ada3f4952530cb69adba9f435293e1ba83b086ccb1bb1c31b22a2?ver=CBV2.0'],
      [{ type: 'ObjectEvent', eventTime: '2025-05-02T12:00:00.000Z', eventTimeZoneOffset: '+00:00', epcList: ['https://id.forgetrace.dev/ft/part/PO-9.1'], action: 'OBSERVE', bizStep: 'receiving', disposition: 'in_progress' },
        'ni:///sha-256;38f36b47c6dbdc3b8106b670cb39bb6353b7c69e5f15e966c8ce019a13e90475?ver=CBV2.0'],
      [{ type: 'ObjectEvent', eventTime: '2025-05-02T12:00:00.000Z', eventTimeZoneOffset: '+00:00', epcList: ['https://id.forgetrace.dev/ft/part/PO-9.1'], action: 'OBSERVE', bizStep: 'urn:forgetrace:bizstep:deburring' },
        'ni:///sha-256;654edac1551c0eff20ca0ab12e56b8a24cd2c1cebf87d50ff65a160a4ed7b6af?ver=CBV2.0'],
    ],
  },
  {
    name: 'epc-uri-to-digital-link',
    about: 'EPC URNs of several schemes and non-canonical Digital Link URIs become constrained canonical Digital Link URIs; other URIs stay',
    context: [EPCIS_CONTEXT, FT],
    events: [
      [{ type: 'ObjectEvent', eventTime: '2025-06-10T07:15:00.000Z', eventTimeZoneOffset: '+00:00', action: 'OBSERVE', epcList: ['urn:epc:id:sgtin:9506000.013435.SN-41', 'urn:epc:id:sscc:9506000.0000000071', 'urn:epc:id:grai:9506000.13435.RK-7', 'urn:epc:id:giai:9506000.MOULD-12'], readPoint: { id: 'urn:epc:id:sgln:9506000.13435.0' }, bizLocation: { id: 'urn:epc:id:sgln:9506000.13435.HALL-2' } },
        'ni:///sha-256;942bc4c7a5696d8af26623fa36e988c0b382ad9ce9b75b1ab0a8d820b7515cb1?ver=CBV2.0'],
      [{ type: 'ObjectEvent', eventTime: '2025-06-10T07:15:00.000Z', eventTimeZoneOffset: '+00:00', action: 'OBSERVE', epcList: ['https://id.gs1.org/01/09506000134352/21/SN-41', 'https://id.gs1.org/00/095060000000000710', 'https://id.gs1.org/8003/09506000134353RK-7', 'https://id.gs1.org/8004/9506000MOULD-12'], readPoint: { id: 'https://id.gs1.org/414/9506000134352' }, bizLocation: { id: 'https://id.gs1.org/414/9506000134352/254/HALL-2' } },
        'ni:///sha-256;5dc17cde35dd6bf3e951a92c8b038c7eef6f12e700142ec819face9564df2104?ver=CBV2.0'],
      [{ type: 'ObjectEvent', eventTime: '2025-06-10T07:15:00.000Z', eventTimeZoneOffset: '+00:00', action: 'OBSERVE', epcList: ['https://id.forgetrace.dev/01/09506000134352/10/PO-12/21/SN-41?linkType=gs1:pip', 'https://id.forgetrace.dev/ft/part/PO-12.3'], quantityList: [{ epcClass: 'urn:epc:class:lgtin:9506000.013435.LOT-77', quantity: 4 }, { epcClass: 'urn:epc:idpat:sgtin:9506000.013435.*', quantity: 2 }] },
        'ni:///sha-256;ff654d338c0155b145e5afd1f22c665490d12675c12a2d4ec45d630d66a2fd55?ver=CBV2.0'],
    ],
  },
  {
    name: 'list-ordering',
    about: 'the order of list elements and of fields does not change the hash',
    context: [EPCIS_CONTEXT, FT],
    events: [
      [{ type: 'ObjectEvent', eventTime: '2025-07-01T10:00:00.000Z', eventTimeZoneOffset: '+00:00', action: 'ADD', bizStep: 'commissioning', epcList: ['https://id.forgetrace.dev/ft/part/PO-20.1', 'https://id.forgetrace.dev/ft/part/PO-20.3', 'https://id.forgetrace.dev/ft/part/PO-20.2'], quantityList: [{ epcClass: 'https://id.forgetrace.dev/ft/lot/LOT-B', quantity: 1, uom: 'KGM' }, { epcClass: 'https://id.forgetrace.dev/ft/lot/LOT-A', quantity: 2, uom: 'KGM' }] },
        'ni:///sha-256;ddd73fae40770ddcaac10df3feb225ebdfba78d27617f203ad0111586bd6fe61?ver=CBV2.0'],
      [{ bizStep: 'commissioning', action: 'ADD', eventTimeZoneOffset: '+00:00', quantityList: [{ uom: 'KGM', quantity: 2, epcClass: 'https://id.forgetrace.dev/ft/lot/LOT-A' }, { epcClass: 'https://id.forgetrace.dev/ft/lot/LOT-B', uom: 'KGM', quantity: 1 }], epcList: ['https://id.forgetrace.dev/ft/part/PO-20.2', 'https://id.forgetrace.dev/ft/part/PO-20.1', 'https://id.forgetrace.dev/ft/part/PO-20.3'], eventTime: '2025-07-01T10:00:00.000Z', type: 'ObjectEvent' },
        'ni:///sha-256;ddd73fae40770ddcaac10df3feb225ebdfba78d27617f203ad0111586bd6fe61?ver=CBV2.0'],
      [{ type: 'AggregationEvent', eventTime: '2025-07-01T11:00:00.000Z', eventTimeZoneOffset: '+00:00', parentID: 'https://id.forgetrace.dev/ft/part/PO-20.9', action: 'ADD', bizStep: 'assembling', childEPCs: ['https://id.forgetrace.dev/ft/part/PO-20.3', 'https://id.forgetrace.dev/ft/part/PO-20.1'] },
        'ni:///sha-256;bb26bb4391a55e2a4496f723e4a511a91f6e48b8abc12d187e5f00e8851c5ac4?ver=CBV2.0'],
    ],
  },
  {
    name: 'extensions',
    about: 'user-namespace fields at event level, nested, repeated and inside readPoint; ILMD; eventID, recordTime and comments ignored',
    context: [EPCIS_CONTEXT, FT, { mes: 'https://mes.example.org/ns/' }],
    events: [
      [{ type: 'ObjectEvent', eventTime: '2025-08-15T06:45:00.000Z', eventTimeZoneOffset: '+00:00', epcList: ['https://id.forgetrace.dev/ft/part/PO-31.1'], action: 'ADD', bizStep: 'commissioning', disposition: 'active', ilmd: { 'ft:material': 'Ti6Al4V', 'ft:heat': { 'ft:number': 'H-2291', 'ft:furnace': 'F2' } }, 'ft:orderId': 'PO-31', 'ft:dueDate': '2025-09-30', 'mes:station': { 'mes:line': 'L4', 'mes:cell': ['C2', 'C1'] }, 'ft:tags': ['deburred', 'anodised'] },
        'ni:///sha-256;6e0fba7f44ed9ff78df53ad8bd9de8375008f8531ccdc2d96fc12a26174c0731?ver=CBV2.0'],
      [{ type: 'ObjectEvent', eventID: 'urn:uuid:5d9a3c61-0d43-4c7e-a3f0-4f8a2b9e1c01', recordTime: '2025-08-15T06:46:10.000Z', eventTime: '2025-08-15T06:45:00.000Z', eventTimeZoneOffset: '+00:00', epcList: ['https://id.forgetrace.dev/ft/part/PO-31.1'], action: 'ADD', bizStep: 'commissioning', disposition: 'active', ilmd: { 'ft:heat': { 'ft:furnace': 'F2', 'ft:number': 'H-2291' }, 'ft:material': 'Ti6Al4V' }, 'ft:tags': ['anodised', 'deburred'], 'mes:station': { 'mes:cell': ['C1', 'C2'], 'mes:line': 'L4' }, 'ft:dueDate': '2025-09-30', 'ft:orderId': 'PO-31' },
        'ni:///sha-256;6e0fba7f44ed9ff78df53ad8bd9de8375008f8531ccdc2d96fc12a26174c0731?ver=CBV2.0'],
      [{ type: 'ObjectEvent', eventTime: '2025-08-15T07:00:00.000Z', eventTimeZoneOffset: '+00:00', epcList: ['https://id.forgetrace.dev/ft/part/PO-31.1'], action: 'OBSERVE', readPoint: { id: 'https://id.forgetrace.dev/ft/machine/DE-LATHE-02', 'ft:spindle': 'S1' }, 'ft:flag': true, 'ft:rework': false, 'ft:note': 'first article' },
        'ni:///sha-256;be1b0213369477ff1a64bb3fb32fbe225206ad9adc7e5e2f1b836624b9019b8c?ver=CBV2.0'],
    ],
  },
  {
    name: 'sensor-elements',
    about: 'sensorMetadata and sensorReport fields in canonical order, report types expanded (bare, gs1: CURIE declared in the document, full URI), values normalised, reports and elements sorted',
    context: [EPCIS_CONTEXT, FT, { gs1: 'https://gs1.org/voc/' }],
    events: [
      [{ type: 'ObjectEvent', eventTime: '2025-09-03T13:20:00.000+02:00', eventTimeZoneOffset: '+02:00', epcList: ['https://id.forgetrace.dev/ft/part/PO-44.1'], action: 'OBSERVE', bizStep: 'inspecting', readPoint: { id: 'https://id.forgetrace.dev/ft/machine/DE-CMM-01' }, sensorElementList: [{ sensorMetadata: { time: '2025-09-03T13:19:58+02:00', deviceID: 'https://id.forgetrace.dev/ft/machine/DE-CMM-01', rawData: 'https://data.forgetrace.dev/raw/44-1', dataProcessingMethod: 'https://id.forgetrace.dev/ft/twin-model/cmm@2.1.0' }, sensorReport: [{ type: 'Temperature', value: 21.4, uom: 'CEL' }, { type: 'gs1:Humidity', value: 45, uom: 'A93', minValue: 44.5, maxValue: 45.5 }, { type: 'ft:healthIndex', value: 0.9 }] }, { sensorMetadata: { startTime: '2025-09-03T11:00:00Z', endTime: '2025-09-03T11:19:00Z' }, sensorReport: [{ type: 'Length', meanValue: 12.001, sDev: 0.002, uom: 'MMT' }, { type: 'ft:anomaly', stringValue: 'none' }] }] },
        'ni:///sha-256;53829fb0efa68c1ab1420f41ed5881a510c574a4f1f8657f54035cfba99b671f?ver=CBV2.0'],
      [{ type: 'ObjectEvent', eventTime: '2025-09-03T11:20:00.000Z', eventTimeZoneOffset: '+02:00', epcList: ['https://id.forgetrace.dev/ft/part/PO-44.1'], action: 'OBSERVE', bizStep: 'inspecting', readPoint: { id: 'https://id.forgetrace.dev/ft/machine/DE-CMM-01' }, sensorElementList: [{ sensorReport: [{ uom: 'MMT', sDev: 0.002, type: 'gs1:Length', meanValue: 12.001 }, { stringValue: 'none', type: 'ft:anomaly' }], sensorMetadata: { endTime: '2025-09-03T13:19:00+02:00', startTime: '2025-09-03T13:00:00+02:00' } }, { sensorReport: [{ type: 'ft:healthIndex', value: 0.9 }, { type: 'https://gs1.org/voc/Humidity', maxValue: 45.5, minValue: 44.5, uom: 'A93', value: 45 }, { uom: 'CEL', value: 21.4, type: 'gs1:Temperature' }], sensorMetadata: { dataProcessingMethod: 'https://id.forgetrace.dev/ft/twin-model/cmm@2.1.0', rawData: 'https://data.forgetrace.dev/raw/44-1', deviceID: 'https://id.forgetrace.dev/ft/machine/DE-CMM-01', time: '2025-09-03T11:19:58.000Z' } }] },
        'ni:///sha-256;53829fb0efa68c1ab1420f41ed5881a510c574a4f1f8657f54035cfba99b671f?ver=CBV2.0'],
    ],
  },
  {
    name: 'quantity-lists',
    about: 'quantityList, childQuantityList, inputQuantityList and outputQuantityList, with and without uom',
    context: [EPCIS_CONTEXT, FT],
    events: [
      [{ type: 'TransformationEvent', eventTime: '2025-10-20T09:30:00.000Z', eventTimeZoneOffset: '+00:00', transformationID: 'urn:forgetrace:transformation:PO-50-melt', inputEPCList: ['https://id.forgetrace.dev/ft/part/PO-50.1'], inputQuantityList: [{ epcClass: 'https://id.forgetrace.dev/ft/lot/LOT-TI-3', quantity: 2.25, uom: 'KGM' }, { epcClass: 'https://id.forgetrace.dev/ft/lot/LOT-GAS-1', quantity: 40, uom: 'LTR' }], outputEPCList: ['https://id.forgetrace.dev/ft/part/PO-50.2'], outputQuantityList: [{ epcClass: 'https://id.forgetrace.dev/ft/lot/LOT-CHIPS-9', quantity: 0.35, uom: 'KGM' }], bizStep: 'other', disposition: 'in_progress', readPoint: { id: 'https://id.forgetrace.dev/ft/machine/DE-MILL-01' } },
        'ni:///sha-256;ee33472027b1613f6f117e7c89ef4297643fca3e919da69d343df3bb4fc99b86?ver=CBV2.0'],
      [{ type: 'AggregationEvent', eventTime: '2025-10-20T10:00:00.000Z', eventTimeZoneOffset: '+00:00', parentID: 'urn:epc:id:sscc:9506000.0000000088', action: 'ADD', bizStep: 'packing', childEPCs: ['https://id.forgetrace.dev/ft/part/PO-50.2'], childQuantityList: [{ epcClass: 'https://id.forgetrace.dev/ft/lot/LOT-SCREWS-2', quantity: 12 }] },
        'ni:///sha-256;dde174717ce70fd42fb65933c07201a1e07ac593f53d1ca0b57e4a2afaccbbb4?ver=CBV2.0'],
      [{ type: 'ObjectEvent', eventTime: '2025-10-20T10:05:00.000Z', eventTimeZoneOffset: '+00:00', action: 'DELETE', bizStep: 'destroying', disposition: 'destroyed', quantityList: [{ epcClass: 'https://id.forgetrace.dev/ft/lot/LOT-CHIPS-9', quantity: 0.35, uom: 'KGM' }] },
        'ni:///sha-256;4e65848cb7fc52eb48873fabd54c765461e7d88f14d12495acc76adfce01cf51?ver=CBV2.0'],
    ],
  },
  {
    name: 'transactions-sources-destinations',
    about: 'bizTransactionList, sourceList and destinationList: types expanded, entries sorted',
    context: [EPCIS_CONTEXT, FT],
    events: [
      [{ type: 'ObjectEvent', eventTime: '2025-11-04T16:00:00.000+01:00', eventTimeZoneOffset: '+01:00', epcList: ['https://id.forgetrace.dev/ft/part/PO-61.1', 'https://id.forgetrace.dev/ft/part/PO-61.2'], action: 'OBSERVE', bizStep: 'shipping', disposition: 'in_transit', readPoint: { id: 'https://id.gs1.org/414/9506000134352' }, bizTransactionList: [{ type: 'po', bizTransaction: 'urn:forgetrace:po:PO-61' }, { type: 'desadv', bizTransaction: 'urn:forgetrace:desadv:D-881' }], sourceList: [{ type: 'owning_party', source: 'https://id.gs1.org/417/9506000134352' }, { type: 'location', source: 'urn:epc:id:sgln:9506000.13435.0' }], destinationList: [{ type: 'owning_party', destination: 'https://id.gs1.org/417/4012345000009' }, { type: 'location', destination: 'https://id.gs1.org/414/4012345000009' }] },
        'ni:///sha-256;9372ff808772f106c8cdf8df3f87270001f3c179e6fa05249498bc329b9169f7?ver=CBV2.0'],
      [{ type: 'ObjectEvent', eventTime: '2025-11-04T15:00:00.000Z', eventTimeZoneOffset: '+01:00', epcList: ['https://id.forgetrace.dev/ft/part/PO-61.2', 'https://id.forgetrace.dev/ft/part/PO-61.1'], action: 'OBSERVE', bizStep: 'urn:epcglobal:cbv:bizstep:shipping', disposition: 'in_transit', readPoint: { id: 'urn:epc:id:sgln:9506000.13435.0' }, destinationList: [{ type: 'urn:epcglobal:cbv:sdt:location', destination: 'urn:epc:id:sgln:4012345.00000.0' }, { type: 'urn:epcglobal:cbv:sdt:owning_party', destination: 'https://id.gs1.org/417/4012345000009' }], sourceList: [{ type: 'urn:epcglobal:cbv:sdt:location', source: 'https://id.gs1.org/414/9506000134352' }, { type: 'urn:epcglobal:cbv:sdt:owning_party', source: 'https://id.gs1.org/417/9506000134352' }], bizTransactionList: [{ type: 'urn:epcglobal:cbv:btt:desadv', bizTransaction: 'urn:forgetrace:desadv:D-881' }, { type: 'urn:epcglobal:cbv:btt:po', bizTransaction: 'urn:forgetrace:po:PO-61' }] },
        'ni:///sha-256;9372ff808772f106c8cdf8df3f87270001f3c179e6fa05249498bc329b9169f7?ver=CBV2.0'],
    ],
  },
  {
    name: 'error-declaration-and-other-types',
    about: 'errorDeclaration does not enter the hash; AssociationEvent, persistentDisposition and certificationInfo',
    context: [EPCIS_CONTEXT, FT],
    events: [
      [{ type: 'ObjectEvent', eventTime: '2025-12-01T08:00:00.000Z', eventTimeZoneOffset: '+00:00', epcList: ['https://id.forgetrace.dev/ft/part/PO-70.1'], action: 'OBSERVE', bizStep: 'inspecting', disposition: 'non_conformant' },
        'ni:///sha-256;b8887fafc1ac31ef68b4bdd85c317e9147ba647aad4b97b6d997b63c4724ace3?ver=CBV2.0'],
      [{ type: 'ObjectEvent', eventTime: '2025-12-01T08:00:00.000Z', eventTimeZoneOffset: '+00:00', epcList: ['https://id.forgetrace.dev/ft/part/PO-70.1'], action: 'OBSERVE', bizStep: 'inspecting', disposition: 'non_conformant', errorDeclaration: { declarationTime: '2025-12-02T09:00:00.000Z', reason: 'incorrect_data', correctiveEventIDs: ['ni:///sha-256;00aa?ver=CBV2.0'], 'ft:by': 'Org2MSP' } },
        'ni:///sha-256;b8887fafc1ac31ef68b4bdd85c317e9147ba647aad4b97b6d997b63c4724ace3?ver=CBV2.0'],
      [{ type: 'AssociationEvent', eventTime: '2025-12-01T09:00:00.000Z', eventTimeZoneOffset: '+00:00', parentID: 'urn:epc:id:grai:9506000.13435.RK-7', childEPCs: ['https://id.forgetrace.dev/ft/machine/DE-MILL-01'], action: 'ADD', bizStep: 'assembling', readPoint: { id: 'https://id.forgetrace.dev/ft/site/Org1MSP' } },
        'ni:///sha-256;924a148d73d24183f837fea227f505f97847257a109aeedacc2ba0888c999e89?ver=CBV2.0'],
      [{ type: 'ObjectEvent', eventTime: '2025-12-01T10:00:00.000Z', eventTimeZoneOffset: '+00:00', epcList: ['https://id.forgetrace.dev/ft/part/PO-70.1'], action: 'OBSERVE', bizStep: 'holding', persistentDisposition: { set: ['needs_replacement'], unset: ['conformant', 'active'] }, certificationInfo: 'https://certs.forgetrace.dev/iso9001/FT-1' },
        'ni:///sha-256;ca3046524a0b3e8cf655137769a570d5e21e99441b6ea5133ce8db017d84f3c9?ver=CBV2.0'],
    ],
  },
];
