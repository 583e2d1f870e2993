/**
 * Published EPCIS event hash test vectors: documents (context and events) and expected hash IDs
 * from the GS1 reference implementation, RalphTro/epcis-event-hash-generator (MIT licence),
 * tests/examples/<file>.jsonld and <file>.hashes at commit 5d2f1c3. Data only.
 */
export const REFERENCE_VECTORS: readonly { readonly file: string; readonly context: unknown; readonly events: readonly Record<string, unknown>[]; readonly hashes: readonly string[] }[] = [
 {
  "file": "epcisDocWithSingleEvent",
  "context": [
   "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld",
   {
    "gs1": "https://gs1.org/voc/"
   }
  ],
  "events": [
   {
    "type": "ObjectEvent",
    "action": "OBSERVE",
    "bizStep": "shipping",
    "disposition": "in_transit",
    "epcList": [
     "urn:epc:id:sgtin:0614141.107346.2017",
     "urn:epc:id:sgtin:0614141.107346.2018"
    ],
    "eventTime": "2022-02-16T20:33:31.116000-06:00",
    "eventTimeZoneOffset": "-06:00",
    "readPoint": {
     "id": "urn:epc:id:sgln:0614141.07346.1234"
    },
    "bizTransactionList": [
     {
      "type": "po",
      "bizTransaction": "http://transaction.acme.com/po/12345678"
     }
    ]
   }
  ],
  "hashes": [
   "ni:///sha-256;ffa491b16867e34a7791a8d5389d826afc24e63a121026b6a4004ace38631b4b?ver=CBV2.0"
  ]
 },
 {
  "file": "ReferenceEventHashAlgorithm",
  "context": [
   "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld",
   {
    "gs1": "https://gs1.org/voc/"
   },
   {
    "example": "https://ns.example.com/epcis/"
   }
  ],
  "events": [
   {
    "type": "ObjectEvent",
    "eventTime": "2020-03-04T11:00:30.000+01:00",
    "eventTimeZoneOffset": "+01:00",
    "recordTime": "2020-03-04T11:00:30.999+01:00",
    "epcList": [
     "urn:epc:id:sscc:4012345.0000000333",
     "urn:epc:id:sscc:4012345.0000000111",
     "urn:epc:id:sscc:4012345.0000000222"
    ],
    "action": "OBSERVE",
    "bizStep": "departing",
    "readPoint": {
     "id": "urn:epc:id:sgln:4012345.00011.987"
    },
    "example:myField1": {
     "example:mySubField1": "2",
     "example:mySubField2": "5"
    },
    "example:myField2": "0",
    "example:myField3": {
     "example:mySubField3": [
      "3",
      "1"
     ]
    }
   }
  ],
  "hashes": [
   "ni:///sha-256;6ae96341e0acc6d7a261364751f60e68278a81cdf51da0abb6b4e617014e39d7?ver=CBV2.0"
  ]
 },
 {
  "file": "epcisDocWithVariousEventTypes",
  "context": [
   "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld",
   {
    "gs1": "https://gs1.org/voc/"
   },
   {
    "example": "https://ns.example.com/epcis/"
   },
   {
    "cbvmda": "urn:epcglobal:cbv:mda:"
   }
  ],
  "events": [
   {
    "type": "ObjectEvent",
    "eventTime": "2019-10-21T11:00:30.000+01:00",
    "eventTimeZoneOffset": "+01:00",
    "epcList": [
     "urn:epc:id:sscc:5200001.0111111146"
    ],
    "action": "OBSERVE",
    "bizStep": "departing",
    "readPoint": {
     "id": "urn:epc:id:sgln:5200001.99901.0"
    },
    "bizTransactionList": [
     {
      "type": "desadv",
      "bizTransaction": "urn:epcglobal:cbv:bt:5200001000008:4711"
     },
     {
      "type": "inv",
      "bizTransaction": "urn:epcglobal:cbv:bt:5200001000008:RE1099"
     }
    ],
    "sourceList": [
     {
      "type": "possessing_party",
      "source": "urn:epc:id:pgln:5200001.00000"
     }
    ],
    "destinationList": [
     {
      "type": "possessing_party",
      "destination": "urn:epc:id:pgln:4000001.98765"
     },
     {
      "type": "location",
      "destination": "urn:epc:id:sgln:4012345.00012.0"
     }
    ]
   },
   {
    "type": "ObjectEvent",
    "eventTime": "2019-10-21T12:00:30.000+01:00",
    "eventTimeZoneOffset": "+01:00",
    "epcList": [
     "urn:epc:id:sscc:5200001.0111111146"
    ],
    "action": "OBSERVE",
    "bizStep": "receiving",
    "readPoint": {
     "id": "urn:epc:id:sgln:4012345.00012.0"
    },
    "bizTransactionList": [
     {
      "type": "desadv",
      "bizTransaction": "urn:epcglobal:cbv:bt:5200001000008:4711"
     },
     {
      "type": "inv",
      "bizTransaction": "urn:epcglobal:cbv:bt:5200001000008:RE1099"
     }
    ],
    "sourceList": [
     {
      "type": "possessing_party",
      "source": "urn:epc:id:pgln:4000001.00012"
     },
     {
      "type": "owning_party",
      "source": "urn:epc:id:pgln:4000001.00012"
     }
    ],
    "destinationList": [
     {
      "type": "possessing_party",
      "destination": "urn:epc:id:pgln:4012345.00000"
     },
     {
      "type": "owning_party",
      "destination": "urn:epc:id:pgln:4012345.00000"
     },
     {
      "type": "location",
      "destination": "urn:epc:id:sgln:4012345.00012.0"
     }
    ]
   },
   {
    "type": "ObjectEvent",
    "eventTime": "2019-10-21T15:45:00.000+01:00",
    "eventTimeZoneOffset": "+01:00",
    "epcList": [
     "urn:epc:id:sscc:4012345.0111111111"
    ],
    "action": "OBSERVE",
    "bizStep": "inspecting",
    "disposition": "in_progress",
    "readPoint": {
     "id": "urn:epc:id:sgln:4012345.00024.0"
    }
   },
   {
    "type": "ObjectEvent",
    "eventTime": "2019-10-21T14:58:56.000+02:00",
    "eventTimeZoneOffset": "+02:00",
    "quantityList": [
     {
      "epcClass": "urn:epc:class:lgtin:4054739.099914.20160711",
      "quantity": 600,
      "uom": "KGM"
     }
    ],
    "action": "ADD",
    "bizStep": "commissioning",
    "readPoint": {
     "id": "urn:epc:id:sgln:4054739.00001.0"
    },
    "ilmd": {
     "cbvmda:bestBeforeDate": "2019-10-21"
    }
   },
   {
    "type": "AggregationEvent",
    "eventTime": "2019-10-21T11:58:56.591+02:00",
    "eventTimeZoneOffset": "+02:00",
    "parentID": "urn:epc:id:sscc:4047023.0111111122",
    "childEPCs": [
     "urn:epc:id:sgtin:4047023.077551.98",
     "urn:epc:id:sgtin:4047023.077551.97",
     "urn:epc:id:sgtin:4047023.077551.107",
     "urn:epc:id:sgtin:4047023.077551.109"
    ],
    "action": "ADD",
    "bizStep": "packing",
    "readPoint": {
     "id": "urn:epc:id:sgln:4047023.00012.0"
    }
   },
   {
    "type": "AggregationEvent",
    "eventTime": "2019-10-21T17:30:56.591+02:00",
    "eventTimeZoneOffset": "+02:00",
    "parentID": "urn:epc:id:sscc:4012344.0111111133",
    "childQuantityList": [
     {
      "epcClass": "urn:epc:class:lgtin:4054739.099902.P2",
      "quantity": 12,
      "uom": "KGM"
     },
     {
      "epcClass": "urn:epc:class:lgtin:4054739.012345.lot2",
      "quantity": 17
     }
    ],
    "action": "ADD",
    "bizStep": "packing",
    "readPoint": {
     "id": "urn:epc:id:sgln:4012345.00025.0"
    }
   },
   {
    "type": "AggregationEvent",
    "eventTime": "2019-10-21T11:58:56.591+02:00",
    "eventTimeZoneOffset": "+02:00",
    "parentID": "urn:epc:id:sscc:4012344.0111111144",
    "action": "DELETE",
    "bizStep": "unpacking",
    "readPoint": {
     "id": "urn:epc:id:sgln:4012345.00025.0"
    },
    "bizTransactionList": [
     {
      "type": "inv",
      "bizTransaction": "urn:epcglobal:cbv:bt:4012345123456:RE1099"
     }
    ]
   },
   {
    "type": "AggregationEvent",
    "eventTime": "2019-10-21T14:02:56.000+02:00",
    "eventTimeZoneOffset": "+02:00",
    "parentID": "urn:epc:id:sscc:4012344.0998811122",
    "childEPCs": [
     "urn:epc:id:sscc:4012344.0998811123",
     "urn:epc:id:sscc:4012344.0998811124",
     "urn:epc:id:sscc:4012344.0998811125"
    ],
    "action": "DELETE",
    "bizStep": "unpacking",
    "readPoint": {
     "id": "urn:epc:id:sgln:4012345.00077.0"
    },
    "bizTransactionList": [
     {
      "type": "inv",
      "bizTransaction": "urn:epcglobal:cbv:bt:4012345123456:4711"
     }
    ]
   },
   {
    "type": "TransactionEvent",
    "eventTime": "2019-10-21T00:05:00-06:00",
    "eventTimeZoneOffset": "-06:00",
    "epcList": [
     "urn:epc:id:sgtin:0614141.107340.1",
     "urn:epc:id:sgtin:0614141.107340.2"
    ],
    "action": "ADD",
    "bizStep": "shipping",
    "readPoint": {
     "id": "urn:epc:id:sgln:4012345.00000.5"
    },
    "bizLocation": {
     "id": "urn:epc:id:sgln:4012345.00000.0"
    },
    "bizTransactionList": [
     {
      "type": "po",
      "bizTransaction": "urn:epcglobal:cbv:bt:4012345123456:RE100099"
     }
    ]
   },
   {
    "type": "TransactionEvent",
    "eventTime": "2019-10-21T14:58:56.591+02:00",
    "eventTimeZoneOffset": "+02:00",
    "quantityList": [
     {
      "epcClass": "urn:epc:class:lgtin:4012345.099988.2014-02-10",
      "quantity": 2030,
      "uom": "KGM"
     }
    ],
    "action": "ADD",
    "bizStep": "holding",
    "readPoint": {
     "id": "urn:epc:id:sgln:4012345.00025.0"
    },
    "bizLocation": {
     "id": "urn:epc:id:sgln:4012345.00002.0"
    },
    "bizTransactionList": [
     {
      "type": "inv",
      "bizTransaction": "urn:epcglobal:cbv:bt:4012345123456:RE1099"
     }
    ]
   },
   {
    "type": "TransformationEvent",
    "eventTime": "2019-10-21T14:58:56.591+02:00",
    "eventTimeZoneOffset": "+02:00",
    "inputEPCList": [
     "urn:epc:id:sgtin:4012345.011122.25",
     "urn:epc:id:sgtin:4000001.065432.99886655"
    ],
    "outputEPCList": [
     "urn:epc:id:sgtin:4012345.077889.25",
     "urn:epc:id:sgtin:4012345.077889.26",
     "urn:epc:id:sgtin:4012345.077889.27",
     "urn:epc:id:sgtin:4012345.077889.28"
    ],
    "transformationID": "urn:epc:id:gdti:4012345.55555.1234",
    "bizStep": "commissioning",
    "readPoint": {
     "id": "urn:epc:id:sgln:4012345.00001.0"
    },
    "ilmd": {
     "example:bestBeforeDate": "2020-11-10",
     "example:batch": "4711"
    }
   },
   {
    "type": "TransformationEvent",
    "eventTime": "2019-10-21T14:58:56.591+02:00",
    "eventTimeZoneOffset": "+02:00",
    "inputEPCList": [
     "urn:epc:id:sgtin:4012345.011122.25",
     "urn:epc:id:sgtin:4000001.065432.99886655"
    ],
    "outputEPCList": [
     "urn:epc:id:sgtin:4012345.077889.25",
     "urn:epc:id:sgtin:4012345.077889.26",
     "urn:epc:id:sgtin:4012345.077889.27",
     "urn:epc:id:sgtin:4012345.077889.28"
    ],
    "inputQuantityList": [
     {
      "epcClass": "urn:epc:class:lgtin:4012345.011111.4444",
      "quantity": 10,
      "uom": "KGM"
     },
     {
      "epcClass": "urn:epc:class:lgtin:0614141.077777.987",
      "quantity": 30
     },
     {
      "epcClass": "urn:epc:idpat:sgtin:4012345.066666.*",
      "quantity": 220
     }
    ],
    "bizStep": "commissioning",
    "readPoint": {
     "id": "urn:epc:id:sgln:4012345.00001.0"
    },
    "ilmd": {
     "example:bestBeforeDate": "2015-11-10",
     "example:batch": "XYZ"
    }
   },
   {
    "type": "TransformationEvent",
    "eventTime": "2019-10-21T14:58:56.591+02:00",
    "eventTimeZoneOffset": "+02:00",
    "inputEPCList": [
     "urn:epc:id:sgtin:4012345.011122.25",
     "urn:epc:id:sgtin:4000001.065432.99886655"
    ],
    "outputQuantityList": [
     {
      "epcClass": "urn:epc:class:lgtin:4054739.099902.P20131121",
      "quantity": 9520
     }
    ],
    "transformationID": "urn:epc:id:gdti:4012345.55555.1234",
    "bizStep": "http://epcis.example.com/user/vocab/bizstep/exampling",
    "readPoint": {
     "id": "urn:epc:id:sgln:4012345.00001.0"
    }
   }
  ],
  "hashes": [
   "ni:///sha-256;25be54b3d29f31ef9b4e62d62e7610f5d186369ba6eabb5e70ba9884153792a7?ver=CBV2.0",
   "ni:///sha-256;b28bf72f1bb227fbf583c8e062dc6c52689849a5f6ea4fa290eaede62f345eab?ver=CBV2.0",
   "ni:///sha-256;c50842eb714406394a77fb7b517fea621c78a61f65549874de7c9e019afe7b6f?ver=CBV2.0",
   "ni:///sha-256;5f396ea5cb32fe4d0980cb79f5a5eb9640559e9f5a6cefa5c98a7d6ad554b50b?ver=CBV2.0",
   "ni:///sha-256;c941e6486c561c2be83c28dc228c150eaef9a6befb1015e6cc563982fb7414b6?ver=CBV2.0",
   "ni:///sha-256;cfda50b7ff23682e989bafc3747ac9b752f405305fcde6618280f6be27344f35?ver=CBV2.0",
   "ni:///sha-256;c4bdb87c8d59d6ab569d0cfc6583e9dd4c314cdf71799b0ef8d4febe5239d9c5?ver=CBV2.0",
   "ni:///sha-256;a62b9f9e429fcba628ea47d073542ca67e9fbe4688df2c649b8cd13b8519b91f?ver=CBV2.0",
   "ni:///sha-256;cf6559dc931963f19ed9cd2fe33c02ef64c8cfd557e5a96b086a87db315b7122?ver=CBV2.0",
   "ni:///sha-256;b741a543ea0b2a4c4bdb3441c7dc196b41710e5b2c9870b211fac8d6d4c93427?ver=CBV2.0",
   "ni:///sha-256;335da6c3ab1d932824748791beec4d7ed261ed383f6849f6b8718e8fafb4d298?ver=CBV2.0",
   "ni:///sha-256;36ab2ba0e3eac03d14a630148c63c31da00b8c4f1c311f501eb459e89a6e6350?ver=CBV2.0",
   "ni:///sha-256;756558aa09b2d38c6bcb6e50eab2fcbebd9bde17362a7c4f4686a5d7f5fb013f?ver=CBV2.0"
  ]
 },
 {
  "file": "epcisDocWithShippingAndTransportingEvent",
  "context": [
   "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld",
   {
    "gs1": "https://gs1.org/voc/"
   }
  ],
  "events": [
   {
    "type": "ObjectEvent",
    "eventTime": "2022-02-16T12:50:00.000+01:00",
    "eventTimeZoneOffset": "+01:00",
    "epcList": [
     "urn:epc:id:sscc:4012345.1112223334"
    ],
    "action": "OBSERVE",
    "bizStep": "departing",
    "readPoint": {
     "id": "urn:epc:id:sgln:4012345.00022.0"
    },
    "bizTransactionList": [
     {
      "type": "desadv",
      "bizTransaction": "urn:epcglobal:cbv:bt:4012345000009:ASN1099"
     }
    ],
    "sourceList": [
     {
      "type": "possessing_party",
      "source": "urn:epc:id:pgln:4012345.00000"
     }
    ],
    "destinationList": [
     {
      "type": "possessing_party",
      "destination": "urn:epc:id:pgln:4023333.00000"
     }
    ]
   },
   {
    "type": "ObjectEvent",
    "eventTime": "2022-02-16T16:50:00.000+01:00",
    "eventTimeZoneOffset": "+01:00",
    "epcList": [
     "urn:epc:id:sscc:4012345.1112223334"
    ],
    "action": "OBSERVE",
    "bizStep": "transporting",
    "readPoint": {
     "id": "geo:47.506694,11.104301"
    }
   }
  ],
  "hashes": [
   "ni:///sha-256;7a82a68b0f9c78bebb1c729d950edbf1fd40c56f3351906020d2d67d5dffbc72?ver=CBV2.0",
   "ni:///sha-256;1d2ec4174d8f0b5988a44795b31a636e8bc7f88ebc4bdc0d35c14f215a842e80?ver=CBV2.0"
  ]
 },
 {
  "file": "epcisDocWithSensorDataObjectEvent",
  "context": [
   "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld",
   {
    "gs1": "https://gs1.org/voc/"
   }
  ],
  "events": [
   {
    "type": "ObjectEvent",
    "eventTime": "2022-02-16T15:00:00.000+01:00",
    "eventTimeZoneOffset": "+01:00",
    "epcList": [
     "urn:epc:id:sgtin:4012345.011111.9876"
    ],
    "action": "OBSERVE",
    "bizStep": "inspecting",
    "readPoint": {
     "id": "urn:epc:id:sgln:4012345.00005.0"
    },
    "sensorElementList": [
     {
      "sensorMetadata": {
       "time": "2022-02-16T14:05:00.000+01:00",
       "deviceID": "urn:epc:id:giai:4000001.111",
       "deviceMetadata": "https://id.gs1.org/8004/4000001111",
       "rawData": "https://id.example.org/8004/401234599999"
      },
      "sensorReport": [
       {
        "type": "Temperature",
        "value": 26,
        "uom": "CEL"
       },
       {
        "type": "AbsoluteHumidity",
        "value": 12.1,
        "uom": "A93"
       },
       {
        "type": "Speed",
        "value": 160,
        "uom": "KMH"
       },
       {
        "type": "Illuminance",
        "value": 800,
        "uom": "LUX"
       }
      ]
     },
     {
      "sensorMetadata": {
       "time": "2022-02-16T14:35:00.000+01:00",
       "deviceID": "urn:epc:id:giai:4000001.111",
       "deviceMetadata": "https://id.gs1.org/8004/4000001111",
       "rawData": "https://id.example.org/8004/401234599999"
      },
      "sensorReport": [
       {
        "type": "Temperature",
        "value": 26.1,
        "uom": "CEL"
       },
       {
        "type": "AbsoluteHumidity",
        "value": 12.2,
        "uom": "A93"
       },
       {
        "type": "Speed",
        "value": 161,
        "uom": "KMH"
       },
       {
        "type": "Illuminance",
        "value": 801,
        "uom": "LUX"
       }
      ]
     },
     {
      "sensorMetadata": {
       "time": "2022-02-16T14:55:00.000+01:00",
       "deviceID": "urn:epc:id:giai:4000001.111",
       "deviceMetadata": "https://id.gs1.org/8004/4000001111",
       "rawData": "https://id.example.org/8004/401234599999"
      },
      "sensorReport": [
       {
        "type": "Temperature",
        "value": 26.2,
        "uom": "CEL"
       },
       {
        "type": "AbsoluteHumidity",
        "value": 12.2,
        "uom": "A93"
       },
       {
        "type": "Speed",
        "value": 162,
        "uom": "KMH"
       },
       {
        "type": "Illuminance",
        "value": 802,
        "uom": "LUX"
       }
      ]
     }
    ]
   }
  ],
  "hashes": [
   "ni:///sha-256;4afcdd3db3ff438fbe6c5a341ab8d1c405945f10d0c9a21b44d9ff45358b3801?ver=CBV2.0"
  ]
 },
 {
  "file": "TimeStampRoundOff",
  "context": [
   "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"
  ],
  "events": [
   {
    "type": "ObjectEvent",
    "eventTime": "2023-02-02T11:04:03.1415Z",
    "eventTimeZoneOffset": "+01:00",
    "epcList": [
     "https://id.gs1.de/00/040123451111111110"
    ],
    "action": "OBSERVE",
    "bizStep": "shipping",
    "disposition": "in_transit",
    "readPoint": {
     "id": "https://id.gs1.de/414/4012345000115"
    }
   },
   {
    "type": "ObjectEvent",
    "eventTime": "2023-02-02T11:04:03.1414Z",
    "eventTimeZoneOffset": "+01:00",
    "epcList": [
     "https://id.gs1.de/00/040123451111111110"
    ],
    "action": "OBSERVE",
    "bizStep": "transporting",
    "readPoint": {
     "id": "geo:50.947573340894124,6.922120147375441"
    }
   },
   {
    "type": "ObjectEvent",
    "eventTime": "2023-02-12T11:04:03.1415Z",
    "eventTimeZoneOffset": "+01:00",
    "certificationInfo": "https://accreditation-council.example.org/certificate/ABC12345",
    "epcList": [
     "https://id.gs1.de/01/04012345999990/21/XYZ-1234"
    ],
    "action": "OBSERVE",
    "bizStep": "receiving",
    "disposition": "in_progress",
    "readPoint": {
     "id": "https://id.gs1.de/414/4012345000115"
    },
    "sensorElementList": [
     {
      "sensorMetadata": {
       "time": "2023-02-12T11:04:03.1007Z",
       "bizRules": "https://id.example.com/253/4012345000054987"
      },
      "sensorReport": [
       {
        "type": "Dimensionless",
        "exception": "ALARM_CONDITION",
        "coordinateReferenceSystem": "http://www.opengis.net/def/crs/EPSG/0/27700"
       }
      ]
     }
    ]
   }
  ],
  "hashes": [
   "ni:///sha-256;af7658e711574363633f20b3dadc7bc4c13c6f612cf96d95e03c421c0e58f3c6?ver=CBV2.0",
   "ni:///sha-256;0550df44527332c1fe417c5837fe61b9e71eaa93307b88519dac549bf2d4dcf9?ver=CBV2.0",
   "ni:///sha-256;589e6268daac257cff0a64ae0f525abcc3ff90bc7832171270fd9260e9c481c8?ver=CBV2.0"
  ]
 },
 {
  "file": "epcisEventWithCURIEs",
  "context": [
   "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"
  ],
  "events": [
   {
    "type": "ObjectEvent",
    "eventTime": "2023-01-11T12:00:00+01:00",
    "eventTimeZoneOffset": "+01:00",
    "epcList": [
     "https://id.gs1.de/01/04012345999990/21/XYZ-1234"
    ],
    "action": "OBSERVE",
    "bizStep": "receiving",
    "disposition": "in_progress",
    "readPoint": {
     "id": "https://id.gs1.de/414/4012345000115"
    },
    "bizTransactionList": [
     {
      "type": "desadv",
      "bizTransaction": "urn:epcglobal:cbv:bt:4012345000009:ASN1099"
     }
    ]
   }
  ],
  "hashes": [
   "ni:///sha-256;65f196f1b17e2525de2b6f45f5d31d74fa3fdf1e689863484f8e9660cc36f69f?ver=CBV2.0"
  ]
 },
 {
  "file": "persistentDisposition",
  "context": [
   "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld",
   {
    "gs1": "https://gs1.org/voc/"
   }
  ],
  "events": [
   {
    "type": "ObjectEvent",
    "eventTime": "2021-04-01T15:00:00+01:00",
    "eventTimeZoneOffset": "+01:00",
    "epcList": [
     "urn:epc:id:sgtin:4012345.011111.1",
     "urn:epc:id:sgtin:4012345.011111.2"
    ],
    "action": "OBSERVE",
    "bizStep": "shipping",
    "disposition": "in_transit",
    "readPoint": {
     "id": "urn:epc:id:sgln:4012345.00005.0"
    },
    "persistentDisposition": {
     "set": [
      "recalled"
     ]
    }
   },
   {
    "type": "ObjectEvent",
    "eventTime": "2021-04-01T15:00:00+01:00",
    "eventTimeZoneOffset": "+01:00",
    "epcList": [
     "urn:epc:id:sgtin:4012345.011111.2"
    ],
    "action": "OBSERVE",
    "bizStep": "inspecting",
    "readPoint": {
     "id": "urn:epc:id:sgln:4012345.00005.0"
    },
    "persistentDisposition": {
     "unset": [
      "recalled"
     ]
    }
   }
  ],
  "hashes": [
   "ni:///sha-256;f6a9d89f2cd8d7931daa3d4c3d48399c2173b88417932f8cc04d021671e7d01e?ver=CBV2.0",
   "ni:///sha-256;4dbb5d87794987ec4a7c519cff1260d00163e78bf44144d09aee135294d39d10?ver=CBV2.0"
  ]
 }
];
