// Bodies of the simulated camera's events service replies (ONVIF Core, Event handling; WS-BaseNotification
// 1.3): service capabilities, the topic set, pull-point subscriptions and the motion notifications.
import { isoTime } from './xs-time.js';

/** The one topic the camera raises: the cell motion detector rule (ONVIF Analytics, Motion detection). */
export const MOTION_TOPIC = 'tns1:RuleEngine/CellMotionDetector/Motion';
export const CONCRETE_SET = 'http://www.onvif.org/ver10/tev/topicExpression/ConcreteSet';
const CONCRETE = 'http://docs.oasis-open.org/wsn/t-1/TopicExpression/Concrete';

// Source items of the motion message: which video source, analytics configuration and rule fired.
export const MOTION_SOURCE = {
  VideoSourceConfigurationToken: 'vsc_1',
  VideoAnalyticsConfigurationToken: 'vac_1',
  Rule: 'MyMotionDetectorRule',
} as const;

export interface MotionEvent {
  /** Camera clock, ms. */
  at: number;
  isMotion: boolean;
  /** Changed when motion starts or stops; Initialized for the state at subscription or a synchronization point. */
  operation: 'Initialized' | 'Changed';
}

export function eventServiceCapabilities(maxPullPoints: number): Record<string, unknown> {
  return {
    'tev:GetServiceCapabilitiesResponse': {
      'tev:Capabilities': {
        '@_WSSubscriptionPolicySupport': 'false',
        '@_WSPausableSubscriptionManagerInterfaceSupport': 'false',
        '@_MaxNotificationProducers': 0,
        '@_MaxPullPoints': maxPullPoints,
        '@_PersistentNotificationStorage': 'false',
      },
    },
  };
}

const itemDescription = (name: string, type: string) => ({ '@_Name': name, '@_Type': type });

export function eventProperties(): Record<string, unknown> {
  return {
    'tev:GetEventPropertiesResponse': {
      'tev:TopicNamespaceLocation': 'http://www.onvif.org/onvif/ver10/topics/topicns.xml',
      'wsnt:FixedTopicSet': 'true',
      'wstop:TopicSet': {
        'tns1:RuleEngine': {
          CellMotionDetector: {
            Motion: {
              '@_wstop:topic': 'true',
              'tt:MessageDescription': {
                '@_IsProperty': 'true',
                'tt:Source': {
                  'tt:SimpleItemDescription': [
                    itemDescription('VideoSourceConfigurationToken', 'tt:ReferenceToken'),
                    itemDescription('VideoAnalyticsConfigurationToken', 'tt:ReferenceToken'),
                    itemDescription('Rule', 'xs:string'),
                  ],
                },
                'tt:Data': { 'tt:SimpleItemDescription': itemDescription('IsMotion', 'xs:boolean') },
              },
            },
          },
        },
      },
      'wsnt:TopicExpressionDialect': [CONCRETE, CONCRETE_SET],
      'tev:MessageContentFilterDialect': 'http://www.onvif.org/ver10/tev/messageContentFilter/ItemFilter',
      'tev:MessageContentSchemaLocation': 'http://www.onvif.org/onvif/ver10/schema/onvif.xsd',
    },
  };
}

export function createPullPointResponse(address: string, now: number, terminationAt: number): Record<string, unknown> {
  return {
    'tev:CreatePullPointSubscriptionResponse': {
      'tev:SubscriptionReference': { 'wsa:Address': address },
      'wsnt:CurrentTime': isoTime(now),
      'wsnt:TerminationTime': isoTime(terminationAt),
    },
  };
}

function notification(address: string, producer: string, e: MotionEvent): Record<string, unknown> {
  return {
    'wsnt:SubscriptionReference': { 'wsa:Address': address },
    'wsnt:Topic': { '@_Dialect': CONCRETE_SET, '#text': MOTION_TOPIC },
    'wsnt:ProducerReference': { 'wsa:Address': producer },
    'wsnt:Message': {
      'tt:Message': {
        '@_UtcTime': isoTime(e.at),
        '@_PropertyOperation': e.operation,
        'tt:Source': { 'tt:SimpleItem': Object.entries(MOTION_SOURCE).map(([k, v]) => ({ '@_Name': k, '@_Value': v })) },
        'tt:Data': { 'tt:SimpleItem': { '@_Name': 'IsMotion', '@_Value': String(e.isMotion) } },
      },
    },
  };
}

/** PullMessagesResponse; with no messages (a timeout) the list is empty, as the WSDL says. */
export function pullMessagesResponse(
  where: { address: string; producer: string },
  now: number,
  terminationAt: number,
  messages: MotionEvent[],
): Record<string, unknown> {
  const body: Record<string, unknown> = { 'tev:CurrentTime': isoTime(now), 'tev:TerminationTime': isoTime(terminationAt) };
  if (messages.length > 0) body['wsnt:NotificationMessage'] = messages.map((m) => notification(where.address, where.producer, m));
  return { 'tev:PullMessagesResponse': body };
}

export function renewResponse(now: number, terminationAt: number): Record<string, unknown> {
  return { 'wsnt:RenewResponse': { 'wsnt:TerminationTime': isoTime(terminationAt), 'wsnt:CurrentTime': isoTime(now) } };
}

export const unsubscribeResponse = (): Record<string, unknown> => ({ 'wsnt:UnsubscribeResponse': '' });
export const synchronizationPointResponse = (): Record<string, unknown> => ({ 'tev:SetSynchronizationPointResponse': '' });

/** Detail of the fault for a subscription the camera does not have (WS-ResourceFramework). */
export function resourceUnknownDetail(now: number, description: string): Record<string, unknown> {
  return { 'wsrf-rw:ResourceUnknownFault': { 'wsrf-bf:Timestamp': isoTime(now), 'wsrf-bf:Description': description } };
}
